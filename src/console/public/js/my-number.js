// The individual number (個人番号) check, as in src/numbers/my-number.ts (総務省令第85号 第5条):
// the same normalisation and check digit, so the form can say at once whether a number is
// well-formed without sending anything. The server checks again on submit.
// Messages are keys for the dictionary and never contain the digits.

const SEPARATORS = /[\s\-‐‑‒–—―−ー－]/g;

/** Check digit over the first 11 digits: weights 6,5,4,3,2,7,6,5,4,3,2 left to right. */
export function checkDigit(base11) {
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = Number(base11[11 - n]);
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

/** { ok: true, digits } or { ok: false, reason, count? } with reason a dictionary key. */
export function normaliseMyNumber(input) {
  if (typeof input !== 'string') return { ok: false, reason: 'mn.notString' };
  if (input.length > 64) return { ok: false, reason: 'mn.tooLong' };
  const compact = input.normalize('NFKC').replace(SEPARATORS, '');
  if (compact.length === 0) return { ok: false, reason: 'mn.empty' };
  if (!/^[0-9]+$/.test(compact)) return { ok: false, reason: 'mn.notDigits' };
  if (compact.length !== 12) return { ok: false, reason: 'mn.length', count: compact.length };
  if (checkDigit(compact.slice(0, 11)) !== Number(compact[11])) return { ok: false, reason: 'mn.checkDigit' };
  return { ok: true, digits: compact };
}
