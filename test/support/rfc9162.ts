import { createHash } from 'node:crypto';

/**
 * An independent implementation of the RFC 9162 §2.1 Merkle tree algorithms, written from the
 * RFC's recursive definitions for tests. It must not import production code: tests compare the
 * service's proofs with these.
 *
 *   MTH({}) = SHA-256()
 *   MTH({d(0)}) = SHA-256(0x00 || d(0))
 *   MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of 2 < n
 *   PATH(m, D[n]) and PROOF(m, D[n]) / SUBPROOF(m, D[n], b) as in §2.1.3.1 and §2.1.4.1.
 */

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

export const rfcLeaf = (data: Buffer): Buffer => sha(Buffer.from([0]), data);

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

/** MTH over leaf data (not leaf hashes). */
export function rfcMth(d: Buffer[]): Buffer {
  const n = d.length;
  if (n === 0) return sha();
  if (n === 1) return rfcLeaf(d[0]!);
  const k = largestPowerOfTwoBelow(n);
  return sha(Buffer.from([1]), rfcMth(d.slice(0, k)), rfcMth(d.slice(k)));
}

export function rfcPath(m: number, d: Buffer[]): Buffer[] {
  const n = d.length;
  if (n === 1) return [];
  const k = largestPowerOfTwoBelow(n);
  if (m < k) return [...rfcPath(m, d.slice(0, k)), rfcMth(d.slice(k))];
  return [...rfcPath(m - k, d.slice(k)), rfcMth(d.slice(0, k))];
}

function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  const n = d.length;
  if (m === n) return b ? [] : [rfcMth(d)];
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) return [...subproof(m, d.slice(0, k), b), rfcMth(d.slice(k))];
  return [...subproof(m - k, d.slice(k), false), rfcMth(d.slice(0, k))];
}

export function rfcProof(m: number, d: Buffer[]): Buffer[] {
  return subproof(m, d, true);
}

/**
 * Verification by recomputation (the RFC's definitions, not its §2.1.3.2 loop): rebuild the root
 * from the leaf and the path, knowing the tree shape.
 */
export function rfcRootFromPath(m: number, n: number, leaf: Buffer, path: Buffer[]): Buffer {
  const walk = (m: number, n: number, level: number): Buffer => {
    if (n === 1) {
      if (level !== -1) throw new Error('path has the wrong length');
      return leaf;
    }
    const k = largestPowerOfTwoBelow(n);
    const sibling = path[level];
    if (sibling === undefined) throw new Error('path too short');
    // the path lists siblings from the leaf up; the deepest recursion uses the first one
    return m < k ? sha(Buffer.from([1]), walk(m, k, level - 1), sibling) : sha(Buffer.from([1]), sibling, walk(m - k, n - k, level - 1));
  };
  return walk(m, n, path.length - 1);
}
