import { generateKeyPairSync } from 'node:crypto';
import { canonicalEntry, ChainCheckpoint, ChainEntry, entryHash, signCheckpoint, verifyChain, ZERO_HASH } from './audit-chain';
import { pagesOf, verifyChainParallel } from './audit-chain-parallel';
import { TreeRecomputer } from './audit-tree-verify';
import { CompactRange, leafHash } from './merkle';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function chain(n: number): { entries: ChainEntry[]; checkpoints: ChainCheckpoint[] } {
  const entries: ChainEntry[] = [];
  const checkpoints: ChainCheckpoint[] = [];
  let prev = ZERO_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e: ChainEntry = {
      seq: String(seq),
      at: '2025-04-01T01:02:03.456000Z',
      actorId: null,
      actorUsername: seq % 5 ? 'clerk' : '山田',
      actorRoles: ['clerk'],
      action: 'number.revealed',
      subjectId: null,
      purpose: 'withholding-slip',
      outcome: 'success',
      requestId: `r${seq}`,
      clientAddress: null,
      details: seq % 3 ? {} : { n: seq },
    };
    prev = entryHash(prev, e);
    entries.push({ ...e, hash: prev });
    if (seq % 1000 === 0 || seq === n) {
      const cp = { id: checkpoints.length + 1, seq, head: prev, at: '2025-04-01T01:02:04.000000Z', signature: ZERO_HASH };
      cp.signature = signCheckpoint(cp, privateKey);
      checkpoints.push(cp);
    }
  }
  return { entries, checkpoints };
}

describe('verifyChainParallel', () => {
  const base = chain(12_000);
  const cases: Array<[string, (entries: ChainEntry[]) => ChainEntry[]]> = [
    ['intact', (e) => e],
    ['a changed entry', (e) => e.map((x, i) => (i === 9_876 ? { ...x, outcome: 'refused' } : x))],
    ['a changed first entry', (e) => e.map((x, i) => (i === 0 ? { ...x, purpose: null } : x))],
    ['a removed entry', (e) => e.filter((_, i) => i !== 5_000)],
    ['a missing hash', (e) => e.map((x, i) => (i === 7_000 ? { ...x, hash: null } : x))],
    ['swapped entries', (e) => e.map((x, i) => (i === 3_000 ? e[3_001]! : i === 3_001 ? e[3_000]! : x))],
    ['a removed tail', (e) => e.slice(0, 11_500)],
    ['text hashes', (e) => e.map((x) => ({ ...x, hash: (x.hash as Buffer).toString('hex') }))],
    ['a bad text hash', (e) => e.map((x, i) => ({ ...x, hash: i === 8_192 ? 'zz' : (x.hash as Buffer).toString('hex') }))],
    ['unreadable entry', (e) => e.map((x, i) => (i === 4_444 ? { ...x, action: 42 as unknown as string } : x))],
  ];

  it.each(cases)('gives the sequential answer for %s, with and without a worker', async (_name, change) => {
    const entries = change(base.entries);
    const expected = verifyChain(entries, { publicKey, checkpoints: base.checkpoints });
    for (const size of [2_500, 8_192, 777]) {
      expect(await verifyChainParallel(pagesOf(entries, size), { publicKey, checkpoints: base.checkpoints })).toEqual(expected);
    }
    expect(await verifyChainParallel(pagesOf(entries), { publicKey, checkpoints: base.checkpoints, parallel: false })).toEqual(expected);
  });

  it('accepts async pages and an anchor', async () => {
    async function* pages() {
      for (const page of pagesOf(base.entries.slice(2_000), 3_000)) yield page;
    }
    const anchor = { seq: 2_000, hash: base.entries[1_999]!.hash as Buffer };
    expect(await verifyChainParallel(pages(), { publicKey, checkpoints: base.checkpoints, anchor })).toMatchObject({
      ok: true,
      entriesChecked: 10_000,
      checkpointsChecked: 11,
    });
  });

  it("recomputes the Merkle tree from the workers' leaf hashes: the same roots as appending leaf by leaf", async () => {
    const sizes = [1, 2, 3, 777, 1_000, 8_192, 8_193, 11_999, 12_000];
    const reference = new Map<number, string>();
    const range = new CompactRange();
    for (const e of base.entries) {
      range.append(leafHash(canonicalEntry(e)));
      if (sizes.includes(range.size)) reference.set(range.size, range.root().toString('hex'));
    }
    for (const [size, parallel] of [
      [2_500, true],
      [8_192, true],
      [777, true],
      [10_000, false],
    ] as const) {
      const tree = new TreeRecomputer(sizes);
      const result = await verifyChainParallel(pagesOf(base.entries, size), { publicKey, checkpoints: base.checkpoints, tree, parallel });
      expect(result.ok).toBe(true);
      expect(tree.size).toBe(12_000);
      expect(tree.failure).toBeNull();
      for (const n of sizes) expect(tree.rootAt(n)?.toString('hex')).toBe(reference.get(n));
    }
  });

  it('gives the tree only the entries up to the first bad one', async () => {
    const entries = base.entries.map((x, i) => (i === 9_876 ? { ...x, outcome: 'refused' } : x));
    const tree = new TreeRecomputer([9_876]);
    const result = await verifyChainParallel(pagesOf(entries, 4_000), { publicKey, checkpoints: base.checkpoints, tree });
    expect(result).toMatchObject({ ok: false, firstBadSeq: 9_877 });
    expect(tree.size).toBe(9_876);
    const range = new CompactRange();
    for (const e of base.entries.slice(0, 9_876)) range.append(leafHash(canonicalEntry(e)));
    expect(tree.rootAt(9_876)).toEqual(range.root());
  });
});
