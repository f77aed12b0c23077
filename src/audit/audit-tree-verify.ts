import { KeyObject } from 'node:crypto';
import { canonicalEntry, ChainEntry } from './audit-chain';
import { describeHead, TreeHead, verifyTreeHeadSignature } from './audit-tree-head';
import { CompactRange, leafHash, verifyConsistency } from './merkle';

/**
 * Checks shared by `POST /audit/verify` and the offline `audit:verify`: recompute the Merkle tree
 * from the entries, check every signed tree head against it, and compare the result with a head
 * known from outside the database (a witness, or the auditor's own last verified head).
 */

/** Recomputes the tree from entries pushed in sequence order (entry seq = leaf index + 1). */
export class TreeRecomputer {
  private readonly range = new CompactRange();
  private readonly wanted: Set<number>;
  private readonly roots = new Map<number, Buffer>();
  failure: string | null = null;

  /** `sizes`: tree sizes whose roots are needed (signed heads, witnessed heads). */
  constructor(sizes: Iterable<number>) {
    this.wanted = new Set(sizes);
    if (this.wanted.has(0)) this.roots.set(0, this.range.root());
  }

  get size(): number {
    return this.range.size;
  }

  push(entry: ChainEntry): void {
    if (this.failure) return;
    if (Number(entry.seq) !== this.range.size + 1) {
      this.failure = `entry ${this.range.size + 1} is missing from the tree's leaves`;
      return;
    }
    this.range.append(leafHash(canonicalEntry(entry)));
    if (this.wanted.has(this.range.size)) this.roots.set(this.range.size, this.range.root());
  }

  pushAll(entries: readonly ChainEntry[]): void {
    for (const entry of entries) this.push(entry);
  }

  root(): Buffer {
    return this.range.root();
  }

  rootAt(size: number): Buffer | undefined {
    return size === this.range.size ? this.range.root() : this.roots.get(size);
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
