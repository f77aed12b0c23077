import { createHash, generateKeyPairSync, KeyObject } from 'node:crypto';
import {
  canonicalEntry,
  canonicalJson,
  chainHash,
  ChainCheckpoint,
  ChainEntry,
  checkpointBytes,
  formatAuditTime,
  signCheckpoint,
  verifyChain,
  verifyCheckpointSignature,
  ZERO_HASH,
} from './audit-chain';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function entry(seq: number, over: Partial<ChainEntry> = {}): ChainEntry {
  return {
    seq,
    at: '2025-04-01T01:02:03.456000Z',
    actorId: '5b0c9a57-6f6e-4b87-9d2f-0a7d1e7c1f2a',
    actorUsername: 'clerk01',
    actorRoles: ['clerk'],
    action: 'number.revealed',
    subjectId: '9e2f8c1a-1111-4b87-9d2f-0a7d1e7c1f2a',
    purpose: 'withholding-slip',
    outcome: 'success',
    requestId: 'req-1',
    clientAddress: '10.0.0.1',
    details: {},
    ...over,
  };
}

/** Seals entries 1..n and signs a checkpoint every `every` entries (and at the end). */
function sealed(n: number, every = 3, key: KeyObject = privateKey): { entries: ChainEntry[]; checkpoints: ChainCheckpoint[] } {
  const entries: ChainEntry[] = [];
  const checkpoints: ChainCheckpoint[] = [];
  let prev = ZERO_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = entry(seq, { details: { count: seq } });
    prev = chainHash(prev, canonicalEntry(e));
    entries.push({ ...e, hash: prev });
    if (seq % every === 0 || seq === n) {
      const cp = { id: checkpoints.length + 1, seq, head: prev, at: '2025-04-01T01:02:04.000000Z', signature: Buffer.alloc(0) };
      cp.signature = signCheckpoint(cp, key);
      checkpoints.push(cp);
    }
  }
  return { entries, checkpoints };
}

describe('canonical form', () => {
  it('writes the fixed columns in a fixed order with nulls for absent values', () => {
    const text = canonicalEntry(entry(7, { actorId: null, purpose: null, details: { b: 1, a: 'x' } }));
    expect(text).toBe(
      '{"seq":7,"at":"2025-04-01T01:02:03.456000Z","actorId":null,"actorUsername":"clerk01","actorRoles":["clerk"],' +
        '"action":"number.revealed","subjectId":"9e2f8c1a-1111-4b87-9d2f-0a7d1e7c1f2a","purpose":null,"outcome":"success",' +
        '"requestId":"req-1","clientAddress":"10.0.0.1","details":{"a":"x","b":1}}',
    );
    expect(JSON.parse(text).seq).toBe(7);
  });

  it('is the same for a sequence number given as text or as a number', () => {
    expect(canonicalEntry(entry(42))).toBe(canonicalEntry({ ...entry(0), seq: '42' }));
  });

  it('refuses malformed sequence numbers', () => {
    expect(() => canonicalEntry(entry(0))).toThrow(/sequence/);
    expect(() => canonicalEntry({ ...entry(1), seq: '01' })).toThrow(/sequence/);
  });

  it('canonicalises details as RFC 8785 JSON', () => {
    expect(canonicalJson({ z: [3, { y: true, x: null }], a: 'é\n', m: 1e21, n: -0, k: 0.1 })).toBe(
      '{"a":"é\\n","k":0.1,"m":1e+21,"n":0,"z":[3,{"x":null,"y":true}]}',
    );
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3 })).toBe('{"\\r":2,"1":3,"€":1}');
    expect(() => canonicalJson({ x: Infinity })).toThrow();
  });

  it('formats times with six fractional digits in UTC', () => {
    expect(formatAuditTime(new Date('2025-04-01T10:02:03.456+09:00'))).toBe('2025-04-01T01:02:03.456000Z');
  });
});

describe('chain hash', () => {
  it('is SHA-256 over the previous hash and the UTF-8 canonical text', () => {
    for (const text of ['{"ascii":1}', '{"name":"山田"}']) {
      const expected = createHash('sha256')
        .update(Buffer.concat([Buffer.alloc(32, 7), Buffer.from(text, 'utf8')]))
        .digest();
      expect(chainHash(Buffer.alloc(32, 7), text).equals(expected)).toBe(true);
    }
  });
});

describe('checkpoint bytes and signature', () => {
  it('are the documented text and an RSA-SHA256 signature over it', () => {
    const cp = { id: 1, seq: 12, head: Buffer.alloc(32, 0xab), at: '2025-04-01T01:02:03.456000Z', signature: Buffer.alloc(0) };
    expect(checkpointBytes(cp).toString('ascii')).toBe(`mynumber-vault audit checkpoint v1\nseq=12\nhead=${'ab'.repeat(32)}\nat=2025-04-01T01:02:03.456000Z\n`);
    cp.signature = signCheckpoint(cp, privateKey);
    expect(verifyCheckpointSignature(cp, publicKey)).toBe(true);
    expect(verifyCheckpointSignature({ ...cp, seq: 13 }, publicKey)).toBe(false);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(verifyCheckpointSignature(cp, other)).toBe(false);
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain', () => {
    const { entries, checkpoints } = sealed(10);
    expect(verifyChain(entries, { publicKey, checkpoints })).toEqual({ ok: true, entriesChecked: 10, checkpointsChecked: 4, lastSeq: 10 });
  });

  it('accepts an empty chain', () => {
    expect(verifyChain([], { publicKey, checkpoints: [] }).ok).toBe(true);
  });

  it('names a changed entry', () => {
    const { entries, checkpoints } = sealed(10);
    entries[4] = { ...entries[4]!, purpose: 'health-pension' };
    expect(verifyChain(entries, { publicKey, checkpoints })).toMatchObject({ ok: false, firstBadSeq: 5, entriesChecked: 4 });
  });

  it('names a changed detail and a changed stored hash', () => {
    const a = sealed(6);
    a.entries[2] = { ...a.entries[2]!, details: { count: 99 } };
    expect(verifyChain(a.entries, { publicKey, checkpoints: a.checkpoints }).firstBadSeq).toBe(3);
    const b = sealed(6);
    b.entries[3] = { ...b.entries[3]!, hash: Buffer.alloc(32) };
    expect(verifyChain(b.entries, { publicKey, checkpoints: b.checkpoints }).firstBadSeq).toBe(4);
  });

  it('names a removed entry', () => {
    const { entries, checkpoints } = sealed(10);
    entries.splice(6, 1);
    const result = verifyChain(entries, { publicKey, checkpoints });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 7 });
    expect(result.reason).toMatch(/entry 7 is missing/);
  });

  it('names reordered entries, whether moved or with swapped contents', () => {
    const moved = sealed(10);
    [moved.entries[3], moved.entries[4]] = [moved.entries[4]!, moved.entries[3]!];
    expect(verifyChain(moved.entries, { publicKey, checkpoints: moved.checkpoints }).firstBadSeq).toBe(4);
    const swapped = sealed(10);
    const [a, b] = [swapped.entries[3]!, swapped.entries[4]!];
    swapped.entries[3] = { ...b, seq: a.seq, hash: a.hash };
    swapped.entries[4] = { ...a, seq: b.seq, hash: b.hash };
    expect(verifyChain(swapped.entries, { publicKey, checkpoints: swapped.checkpoints }).firstBadSeq).toBe(4);
  });

  it('detects a removed tail that a checkpoint covers', () => {
    const { entries, checkpoints } = sealed(10);
    const result = verifyChain(entries.slice(0, 8), { publicKey, checkpoints });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 9 });
  });

  it('detects a rewritten chain through the checkpoint signatures', () => {
    const { entries, checkpoints } = sealed(9);
    // rewrite entry 5 and recompute every later hash, as someone with the database could
    let prev = entries[3]!.hash as Buffer;
    for (let i = 4; i < entries.length; i++) {
      const e = i === 4 ? { ...entries[i]!, outcome: 'refused' } : entries[i]!;
      prev = chainHash(prev, canonicalEntry(e));
      entries[i] = { ...e, hash: prev };
    }
    const result = verifyChain(entries, { publicKey, checkpoints });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 4 });
    expect(result.reason).toMatch(/rewritten/);
  });

  it('refuses a checkpoint signed by another key, and entries no checkpoint covers', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const { entries, checkpoints } = sealed(6, 3, other);
    expect(verifyChain(entries, { publicKey, checkpoints })).toMatchObject({ ok: false, firstBadSeq: 1 });
    const uncovered = sealed(6);
    expect(verifyChain(uncovered.entries, { publicKey, checkpoints: uncovered.checkpoints.slice(0, 1) })).toMatchObject({
      ok: false,
      firstBadSeq: 4,
    });
  });

  it('starts from an anchor for a partial chain', () => {
    const { entries, checkpoints } = sealed(9);
    const anchor = { seq: 3, hash: entries[2]!.hash as Buffer };
    expect(verifyChain(entries.slice(3), { publicKey, checkpoints, anchor })).toMatchObject({ ok: true, entriesChecked: 6 });
    const forged = { seq: 3, hash: Buffer.alloc(32, 1) };
    expect(verifyChain(entries.slice(3), { publicKey, checkpoints, anchor: forged }).ok).toBe(false);
  });

  it('compares hex hashes from an export', () => {
    const { entries, checkpoints } = sealed(4);
    const hex = entries.map((e) => ({ ...e, hash: (e.hash as Buffer).toString('hex') }));
    expect(verifyChain(hex, { publicKey, checkpoints }).ok).toBe(true);
  });
});
