// Addresses and CIDR blocks in the browser (the allow-list screen's warning before a list would
// lock the admin out). No imports: src/console/allow-list-browser.spec.ts loads this very file and
// holds it to the server's rule (src/network/allow-list.ts, node:net's BlockList).

/** An IPv4 or IPv6 address as { bits, value } (BigInt), or null. */
export function parseAddress(text) {
  const s = String(text).trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  if (mapped) return parseAddress(mapped[1]);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return null;
    return { bits: 32, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!s.includes(':') || !/^[0-9a-f:.]+$/i.test(s)) return null;
  let head = s;
  let tail4 = [];
  const embedded = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (embedded) {
    const four = parseAddress(embedded[2]);
    if (!four || four.bits !== 32) return null;
    head = embedded[1].endsWith('::') ? embedded[1] : embedded[1].slice(0, -1);
    tail4 = [Number(four.value >> 16n), Number(four.value & 0xffffn)];
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (part) => (part === '' ? [] : part.split(':'));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  if ([...left, ...right].some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  const given = left.length + right.length + tail4.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const hex = (g) => parseInt(g, 16);
  const all = [...left.map(hex), ...Array(halves.length === 2 ? 8 - given : 0).fill(0), ...right.map(hex), ...tail4];
  return { bits: 128, value: all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) };
}

/** "10.0.0.0/8", "192.0.2.1", "2001:db8::/32" → { bits, value, prefix }, or null (the server's rule: src/network/allow-list.ts). */
export function parseCidr(entry) {
  const [address = '', prefixText, extra] = String(entry).trim().split('/');
  if (extra !== undefined) return null;
  const a = parseAddress(address);
  if (!a) return null;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? a.bits : Number(prefixText);
  if (prefix > a.bits) return null;
  return { ...a, prefix };
}

/** Whether the address falls inside one of the entries. */
export function listAllows(entries, address) {
  const a = parseAddress(address);
  if (!a) return false;
  return entries.some((entry) => {
    const c = parseCidr(entry);
    if (!c || c.bits !== a.bits) return false;
    const shift = BigInt(c.bits - c.prefix);
    return a.value >> shift === c.value >> shift;
  });
}
