import { rfcLeaf, rfcMth, rfcPath, rfcProof, rfcRootFromPath } from '../../test/support/rfc9162';
import {
  CompactRange,
  consistencyPath,
  EMPTY_ROOT,
  frontierNodes,
  inclusionPath,
  NodeLookup,
  nodeKey,
  nodesFor,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

/** A tree built the way the sealer builds it: CompactRange appends, every complete subtree stored. */
function build(data: Buffer[]): { range: CompactRange; lookup: NodeLookup; stored: Map<string, Buffer> } {
  const stored = new Map<string, Buffer>();
  const range = new CompactRange();
  for (const d of data) range.append(rfcLeaf(d), (level, index, hash) => stored.set(nodeKey(level, index), hash));
  const lookup: NodeLookup = (level, index) => {
    const h = stored.get(nodeKey(level, index));
    if (!h) throw new Error(`node ${level}/${index} not stored`);
    return h;
  };
  return { range, lookup, stored };
}

const hex = (list: Buffer[]) => list.map((b) => b.toString('hex'));

describe('RFC 9162 Merkle tree (checked against the RFC definitions in test/support/rfc9162.ts)', () => {
  // The test vector of RFC 6962's reference implementation (certificate-transparency, merkle_tree_test).
  const vector = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));

  it('reproduces the reference roots', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const { lookup } = build(vector);
    expect(rootHash(lookup, 1).toString('hex')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(rootHash(lookup, 8).toString('hex')).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
  });

  const data = Array.from({ length: 40 }, (_, i) => Buffer.from(`entry ${i}`));
  const { range, lookup } = build(data);

  it('roots, audit paths and consistency proofs equal the RFC definitions for every size up to 40', () => {
    expect(range.root()).toEqual(rfcMth(data));
    for (let n = 1; n <= data.length; n++) {
      const d = data.slice(0, n);
      const root = rfcMth(d);
      expect(rootHash(lookup, n)).toEqual(root);
      for (let m = 0; m < n; m++) {
        const path = inclusionPath(lookup, m, n);
        expect(hex(path)).toEqual(hex(rfcPath(m, d)));
        expect(rfcRootFromPath(m, n, rfcLeaf(d[m]!), path)).toEqual(root);
        expect(verifyInclusion(rfcLeaf(d[m]!), m, n, path, root)).toBe(true);
        expect(verifyInclusion(rfcLeaf(Buffer.from('other')), m, n, path, root)).toBe(false);
        if (n > 1) expect(verifyInclusion(rfcLeaf(d[m]!), (m + 1) % n, n, path, root)).toBe(false);
      }
      for (let m = 1; m <= n; m++) {
        const proof = consistencyPath(lookup, m, n);
        expect(hex(proof)).toEqual(hex(rfcProof(m, d)));
        const old = rfcMth(data.slice(0, m));
        expect(verifyConsistency(m, n, old, root, proof)).toBe(true);
        if (m < n) {
          expect(verifyConsistency(m, n, rfcMth(data.slice(1, m + 1)), root, proof)).toBe(false);
          expect(verifyConsistency(m, n, old, rfcMth(data.slice(0, n - 1)), proof)).toBe(false);
          expect(verifyConsistency(m, n, old, root, proof.slice(0, -1))).toBe(false);
        }
      }
    }
  });

  it('a proof reads only O(log n) stored nodes, and the right edge is enough to keep appending', () => {
    const refs = nodesFor((l) => inclusionPath(l, 5, 40));
    expect(refs.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(40)));
    for (let n = 0; n <= 40; n++) {
      const edge = new Map(frontierNodes(n).map((r) => [r.level, lookup(r.level, r.index)]));
      const resumed = new CompactRange(n, edge);
      for (let i = n; i < 40; i++) resumed.append(rfcLeaf(data[i]!));
      expect(resumed.root()).toEqual(range.root());
    }
  });
});
