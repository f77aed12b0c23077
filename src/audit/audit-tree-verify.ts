import { KeyObject } from 'node:crypto';
import { canonicalEntry, ChainEntry } from './audit-chain';
import { describeHead, TreeHead, verifyTreeHeadSignature } from './audit-tree-head';
import { EMPTY_ROOT, leafHash, NodeHasher, verifyConsistency } from './merkle';

/**
 * Checks shared by `POST /audit/verify` and the offline `audit:verify`: recompute the Merkle tree
 * from the entries, check every signed tree head against it, and compare the result with a head
 * known from outside the database (a witness, or the auditor's own last verified head).
 */

/**
 * Recomputes the tree from entries pushed in sequence order (entry seq = leaf index + 1), keeping
 * only its right edge. Leaf hashes usually come in batches from verifyChainParallel's workers
 * (pushLeaves); the node hashes are made here, into reused buffers (no allocation per node but
 * the digest's own).
 */
export class TreeRecomputer {
  /** frontier[level]: the complete subtree at that level on the right edge (valid when bit `level` of size is set). */
  private readonly frontier: Buffer[] = [];
  private treeSize = 0;
  private readonly hasher = new NodeHasher();
  private readonly wanted: number[];
  private nextWanted = 0;
  private readonly roots = new Map<number, Buffer>();
  failure: string | null = null;

  /** `sizes`: tree sizes whose roots are needed (signed heads, witnessed heads). */
  constructor(sizes: Iterable<number>) {
    this.wanted = [...new Set(sizes)].filter((n) => n > 0).sort((a, b) => a - b);
    this.roots.set(0, EMPTY_ROOT);
  }

  get size(): number {
    return this.treeSize;
  }

  push(entry: ChainEntry): void {
    if (this.failure) return;
    if (Number(entry.seq) !== this.treeSize + 1) {
      this.failure = `entry ${this.treeSize + 1} is missing from the tree's leaves`;
      return;
    }
    this.append(leafHash(canonicalEntry(entry)), 0);
  }

  pushAll(entries: readonly ChainEntry[]): void {
    for (const entry of entries) this.push(entry);
  }

  /** `count` leaf hashes (32 bytes each, from `leaves[0]`) for the entries firstSeq, firstSeq + 1, … */
  pushLeaves(leaves: Buffer, count: number, firstSeq: number): void {
    if (this.failure) return;
    if (firstSeq !== this.treeSize + 1) {
      this.failure = `entry ${this.treeSize + 1} is missing from the tree's leaves`;
      return;
    }
    for (let i = 0; i < count; i++) this.append(leaves, i * 32);
  }

  /** Appends the leaf at buf[offset..offset+32]; the buffer may be reused by the caller afterwards. */
  private append(buf: Buffer, offset: number): void {
    let index = this.treeSize;
    if (index % 2 === 0) {
      // a left child: it only waits on the edge (copied into the edge's own buffer)
      (this.frontier[0] ??= Buffer.alloc(32)).set(buf.subarray(offset, offset + 32));
    } else {
      let h = this.hasher.node(this.frontier[0]!, 0, buf, offset);
      let level = 1;
      index = Math.floor(index / 2);
      while (index % 2 === 1) {
        h = this.hasher.node(this.frontier[level]!, 0, h, 0);
        level++;
        index = Math.floor(index / 2);
      }
      this.frontier[level] = h;
    }
    this.treeSize++;
    if (this.treeSize === this.wanted[this.nextWanted]) {
      this.roots.set(this.treeSize, this.root());
      this.nextWanted++;
    }
  }

  root(): Buffer {
    let r: Buffer | null = null;
    for (let level = 0; 2 ** level <= this.treeSize; level++) {
      if (Math.floor(this.treeSize / 2 ** level) % 2 === 0) continue;
      const h = level === 0 ? Buffer.from(this.frontier[0]!) : this.frontier[level]!;
      r = r ? this.hasher.node(h, 0, r, 0) : h;
    }
    return r ?? EMPTY_ROOT;
  }

  rootAt(size: number): Buffer | undefined {
    return size === this.treeSize ? this.root() : this.roots.get(size);
  }
}

export interface TreeHeadCheck {
  ok: boolean;
  checked: number;
  reason?: string;
}

/** Every signed head must verify and match the recomputed root at its size. */
export function checkTreeHeads(heads: readonly TreeHead[], tree: TreeRecomputer, publicKey: KeyObject): TreeHeadCheck {
  let checked = 0;
  for (const head of heads) {
    if (!verifyTreeHeadSignature(head, publicKey)) return { ok: false, checked, reason: `the tree head of size ${head.treeSize} has an invalid signature` };
    const root = tree.rootAt(head.treeSize);
    if (!root) return { ok: false, checked, reason: `the tree head of size ${head.treeSize} lies beyond the ${tree.size} entries checked` };
    if (!root.equals(head.rootHash)) {
      return {
        ok: false,
        checked,
        reason: `the signed tree head of size ${head.treeSize} does not match the entries: entries up to ${head.treeSize} were rewritten`,
      };
    }
    checked++;
  }
  return { ok: true, checked };
}

export interface KnownHead extends TreeHead {
  /** Where the head came from, for messages: "witness directory sth-2026-12-01.jsonl:12", "the auditor's state file". */
  source: string;
}

/**
 * The trail as it is now (its newest signed head, already checked against the entries) must be
 * the known head's tree or an extension of it. `rootAtKnown` is the recomputed root at the known
 * size (when the entries reached it); `proof` a consistency proof from the database, checked
 * with RFC 9162 §2.1.4.2. Answers null when consistent, else a reason naming both heads.
 */
export function checkAgainstKnownHead(
  known: KnownHead,
  current: Pick<TreeHead, 'treeSize' | 'rootHash'> & { at?: string },
  rootAtKnown: Buffer | undefined,
  proof?: readonly Buffer[],
): string | null {
  const theirs = `the trail's newest tree head (${describeHead(current)})`;
  const witnessed = `the head from ${known.source} (${describeHead(known)})`;
  if (current.treeSize < known.treeSize) {
    return `${theirs} is smaller than ${witnessed}: ${known.treeSize - current.treeSize} entries were removed or the database was rolled back`;
  }
  if (rootAtKnown && !rootAtKnown.equals(known.rootHash)) {
    return `${theirs} is not an extension of ${witnessed}: the first ${known.treeSize} entries differ from the ones witnessed`;
  }
  if (proof && !verifyConsistency(known.treeSize, current.treeSize, known.rootHash, current.rootHash, proof)) {
    return `${theirs} is not an extension of ${witnessed}: the consistency proof does not verify`;
  }
  if (!rootAtKnown && !proof) return `${theirs} cannot be compared with ${witnessed}: neither the entries nor a consistency proof reach it`;
  return null;
}
