import { createHash, hash as oneShotHash } from 'node:crypto';

/**
 * The Merkle tree over the audit trail, as RFC 9162 (Certificate Transparency 2.0) §2.1 defines
 * it. Pure functions: the sealer, the proof endpoints, `POST /audit/verify` and the offline CLI
 * all use these, and nothing here touches the database.
 *
 *   leaf hash   = SHA-256(0x00 || UTF-8(canonical(entry)))
 *   node hash   = SHA-256(0x01 || left || right)
 *   MTH({})     = SHA-256("")
 *   MTH(D[n])   = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two smaller than n
 *
 * Leaf index i holds the entry with sequence number i + 1 (sequence numbers have no holes; see
 * audit-chain.ts), so the tree of size n holds entries 1..n.
 *
 * Stored nodes: a complete subtree is named (level, index): it covers leaves
 * [index * 2^level, (index + 1) * 2^level). The sealer stores every complete subtree it makes;
 * any MTH(D[a:b]) the proofs need is then a combination of at most 2·log2(n) stored nodes.
 */

export const EMPTY_ROOT: Buffer = createHash('sha256').digest();
const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

const sha256 =
  typeof oneShotHash === 'function' ? (data: Buffer) => oneShotHash('sha256', data, 'buffer') : (data: Buffer) => createHash('sha256').update(data).digest();

/** SHA-256(0x00 || canonical), the canonical text as UTF-8. */
export function leafHash(canonical: string | Buffer): Buffer {
  return createHash('sha256')
    .update(LEAF_PREFIX)
    .update(canonical as string, 'utf8')
    .digest();
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256(Buffer.concat([NODE_PREFIX, left, right], 65));
}

/**
 * nodeHash for many nodes in a row (verification): one reused 65-byte input buffer, the children
 * read from anywhere in a buffer. Each answer is a fresh 32-byte Buffer (the digest's own).
 */
export class NodeHasher {
  private readonly input = Buffer.alloc(65);

  constructor() {
    this.input[0] = 1;
  }

  node(left: Buffer, leftOffset: number, right: Buffer, rightOffset: number): Buffer {
    left.copy(this.input, 1, leftOffset, leftOffset + 32);
    right.copy(this.input, 33, rightOffset, rightOffset + 32);
    return sha256(this.input);
  }
}

/** The largest power of two strictly smaller than n (n > 1). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  if (!(n > 0) || !Number.isInteger(n)) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/** A stored complete subtree: level (log2 of its leaf count) and index (its position at that level). */
export interface NodeRef {
  level: number;
  index: number;
}

export const nodeKey = (level: number, index: number): string => `${level}:${index}`;

/** Reads a stored complete subtree's hash (synchronously: fetch the nodes first with `nodesFor`). */
export type NodeLookup = (level: number, index: number) => Buffer;

/**
 * MTH(D[lo:hi]) from stored complete subtrees. Follows the RFC's split exactly, so it also holds
 * for ranges that do not start at a multiple of their size (then it descends further).
 */
export function rangeHash(lookup: NodeLookup, lo: number, hi: number): Buffer {
  const size = hi - lo;
  if (size <= 0) throw new Error(`empty range ${lo}..${hi}`);
  if (isPowerOfTwo(size) && lo % size === 0) return lookup(Math.log2(size), lo / size);
  const k = splitPoint(size);
  return nodeHash(rangeHash(lookup, lo, lo + k), rangeHash(lookup, lo + k, hi));
}

/** The root of the tree of size n (EMPTY_ROOT for 0). */
export function rootHash(lookup: NodeLookup, n: number): Buffer {
  return n === 0 ? EMPTY_ROOT : rangeHash(lookup, 0, n);
}

/**
 * The audit path (RFC 9162 §2.1.3.1 PATH(m, D[n])) for leaf m in the tree of size n, as the list
 * of sibling hashes from the leaf up.
 */
export function inclusionPath(lookup: NodeLookup, m: number, n: number): Buffer[] {
  if (!(m >= 0 && m < n)) throw new RangeError(`leaf ${m} is not in a tree of size ${n}`);
  const path: Buffer[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    const size = hi - lo;
    if (size === 1) return;
    const k = splitPoint(size);
    if (m < k) {
      walk(m, lo, lo + k);
      path.push(rangeHash(lookup, lo + k, hi));
    } else {
      walk(m - k, lo + k, hi);
      path.push(rangeHash(lookup, lo, lo + k));
    }
  };
  walk(m, 0, n);
  return path;
}

/**
 * The consistency proof (RFC 9162 §2.1.4.1 PROOF(m, D[n])) between the tree of size m and the
 * tree of size n, 0 < m <= n (empty when m = n).
 */
export function consistencyPath(lookup: NodeLookup, m: number, n: number): Buffer[] {
  if (!(m > 0 && m <= n)) throw new RangeError(`no consistency proof from size ${m} to size ${n}`);
  const proof: Buffer[] = [];
  const sub = (m: number, lo: number, hi: number, complete: boolean): void => {
    const size = hi - lo;
    if (m === size) {
      if (!complete) proof.push(rangeHash(lookup, lo, hi));
      return;
    }
    const k = splitPoint(size);
    if (m <= k) {
      sub(m, lo, lo + k, complete);
      proof.push(rangeHash(lookup, lo + k, hi));
    } else {
      sub(m - k, lo + k, hi, false);
      proof.push(rangeHash(lookup, lo, lo + k));
    }
  };
  sub(m, 0, n, true);
  return proof;
}

/**
 * The stored nodes a computation reads: runs it once with a lookup that records what it is
 * asked for, so the caller can fetch exactly those rows in one query and run it again.
 */
export function nodesFor(compute: (lookup: NodeLookup) => unknown): NodeRef[] {
  const wanted = new Map<string, NodeRef>();
  const placeholder = Buffer.alloc(32);
  compute((level, index) => {
    wanted.set(nodeKey(level, index), { level, index });
    return placeholder;
  });
  return [...wanted.values()];
}

/** RFC 9162 §2.1.3.2: verifies an inclusion proof for a leaf hash against a root. */
export function verifyInclusion(leaf: Buffer, leafIndex: number, treeSize: number, path: readonly Buffer[], root: Buffer): boolean {
  if (!(leafIndex >= 0 && leafIndex < treeSize)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/**
 * RFC 9162 §2.1.4.2: verifies that the tree (first, firstRoot) is a prefix of (second, secondRoot).
 * Sizes equal: the proof must be empty and the roots equal. First size 0: always consistent.
 */
export function verifyConsistency(first: number, second: number, firstRoot: Buffer, secondRoot: Buffer, proof: readonly Buffer[]): boolean {
  if (!(first >= 0 && first <= second)) return false;
  if (first === 0) return proof.length === 0;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = path[0]!;
  let sr: Buffer = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0;
}

/**
 * The right edge of a tree: the roots of its complete subtrees, largest first, which is all an
 * append needs. For size n they are the nodes (level, (n >> level) - 1) for every bit set in n.
 */
export class CompactRange {
  /** frontier[level] = hash of the complete subtree at that level on the right edge, when bit `level` of size is set. */
  private readonly frontier: (Buffer | undefined)[] = [];

  constructor(
    private treeSize = 0,
    edge: ReadonlyMap<number, Buffer> = new Map(),
  ) {
    for (const level of frontierLevels(treeSize)) {
      const hash = edge.get(level);
      if (!hash) throw new Error(`the stored tree lacks its edge node at level ${level} for size ${treeSize}`);
      this.frontier[level] = hash;
    }
  }

  get size(): number {
    return this.treeSize;
  }

  /**
   * Appends a leaf hash; `store` receives every complete subtree this creates (the leaf itself at
   * level 0 and each parent finished by it).
   */
  append(leaf: Buffer, store?: (level: number, index: number, hash: Buffer) => void): void {
    let h = leaf;
    let level = 0;
    let index = this.treeSize;
    store?.(0, index, h);
    while (index % 2 === 1) {
      h = nodeHash(this.frontier[level]!, h);
      this.frontier[level] = undefined;
      level++;
      index = Math.floor(index / 2);
      store?.(level, index, h);
    }
    this.frontier[level] = h;
    this.treeSize++;
  }

  /** MTH of the tree so far. */
  root(): Buffer {
    let r: Buffer | null = null;
    for (let level = 0; level < this.frontier.length; level++) {
      const h = this.frontier[level];
      if (!h) continue;
      r = r ? nodeHash(h, r) : h;
    }
    return r ?? EMPTY_ROOT;
  }
}

/** The levels of the right-edge subtrees of a tree of size n (the bits set in n). */
export function frontierLevels(n: number): number[] {
  const levels: number[] = [];
  for (let level = 0; 2 ** level <= n; level++) if (Math.floor(n / 2 ** level) % 2 === 1) levels.push(level);
  return levels;
}

/** The stored node (level, index) at each of those levels. */
export function frontierNodes(n: number): NodeRef[] {
  return frontierLevels(n).map((level) => ({ level, index: Math.floor(n / 2 ** level) - 1 }));
}
