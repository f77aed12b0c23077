import { createHash, hash as oneShotHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ChainEntry, ChainVerifier, ChainVerifierOptions, VerifyResult, writeCanonical } from './audit-chain';

/**
 * The same verification as ChainVerifier.push, with the SHA-256 work spread over worker threads.
 *
 * Why this is equivalent: the sequential verifier recomputes hash_n from hash_{n-1} and stops at
 * the first n whose recomputed hash differs from the stored one. Up to that n every recomputed
 * hash equals the stored hash, so checking SHA-256(stored_{n-1} || canonical_n) == stored_n for
 * every n independently finds the same first n. This thread lays out (stored_{n-1}, canonical_n)
 * byte ranges in shared memory (two slots: one filled while the other is hashed) and checks order,
 * presence and checkpoints; workers hash, each a share of the batch, and (for the Merkle tree)
 * also make each entry's leaf hash from the same bytes. Anything unusual is handed to
 * ChainVerifier.push, so every answer and message is the sequential verifier's.
 *
 * Node's per-call cost of one SHA-256 (about 1 µs on a quiet core, far more than hashing 400
 * bytes) is what makes one thread fall short: with the tree an entry costs three calls (chain,
 * leaf, about one node) plus building its canonical text.
 */

const BATCH_ENTRIES = 8192;
const BATCH_BYTES = 8 * 1024 * 1024;
/** Below this many entries in a page workers are not worth starting. */
const MIN_PARALLEL = 2048;
/**
 * Hashing threads. Building the canonical texts (and, with a tree, its node hashes) keeps this
 * thread busy, so the hashing goes to workers; more threads than cores lets the system share
 * the cores by load rather than by a fixed split.
 */
const WORKERS = Math.max(1, Math.min(availableParallelism(), 4));

const sha256 =
  typeof oneShotHash === 'function' ? (data: Buffer) => oneShotHash('sha256', data, 'buffer') : (data: Buffer) => createHash('sha256').update(data).digest();

/**
 * Hashes entries [from, to) of a slot: the chain hash SHA-256(stored_{i-1} || canonical_i) must
 * equal stored_i; with `leaves`, also the RFC 9162 leaf hash SHA-256(0x00 || canonical_i) into
 * leaves[i]. The leaf is hashed in place: the byte just before the canonical text (the last byte
 * of the previous hash, no longer needed once the chain hash is made) becomes the 0x00 prefix.
 * Returns the first index whose chain hash differs, or -1. WORKER_SOURCE holds a JavaScript copy:
 * change both together.
 */
function hashRange(
  sha: (b: Buffer) => Buffer,
  s: { bytes: Buffer; offsets: Int32Array; stored: Buffer; leaves: Buffer },
  from: number,
  to: number,
  leaves: boolean,
): number {
  const { bytes, offsets, stored } = s;
  for (let i = from; i < to; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    if (sha(bytes.subarray(start, end)).compare(stored, i * 32, i * 32 + 32) !== 0) return i;
    if (leaves) {
      bytes[start + 31] = 0;
      sha(bytes.subarray(start + 31, end)).copy(s.leaves, i * 32);
    }
  }
  return -1;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const sha = typeof crypto.hash === 'function'
  ? (b) => crypto.hash('sha256', b, 'buffer')
  : (b) => crypto.createHash('sha256').update(b).digest();
// hashRange below, as plain JavaScript (a copy, not its toString(): coverage tools instrument that)
function hashRange(sha, s, from, to, leaves) {
  const { bytes, offsets, stored } = s;
  for (let i = from; i < to; i++) {
    const start = offsets[i];
    const end = offsets[i + 1];
    if (sha(bytes.subarray(start, end)).compare(stored, i * 32, i * 32 + 32) !== 0) return i;
    if (leaves) {
      bytes[start + 31] = 0;
      sha(bytes.subarray(start + 31, end)).copy(s.leaves, i * 32);
    }
  }
  return -1;
}
const slots = workerData.map((s) => ({ bytes: Buffer.from(s.bytes), offsets: new Int32Array(s.offsets), stored: Buffer.from(s.stored), leaves: Buffer.from(s.leaves) }));
parentPort.on('message', ({ slot, from, to, leaves }) => parentPort.postMessage(hashRange(sha, slots[slot], from, to, leaves)));
`;

interface Slot {
  bytes: Buffer;
  offsets: Int32Array;
  stored: Buffer;
  leaves: Buffer;
  shared: { bytes: SharedArrayBuffer; offsets: SharedArrayBuffer; stored: SharedArrayBuffer; leaves: SharedArrayBuffer };
}

interface Prepared {
  slot: number;
  count: number;
  entries: ChainEntry[];
  seqs: number[];
  hashes: Buffer[];
}

interface InFlight extends Prepared {
  /** The first bad index of each share of the batch, in order (-1: all good). */
  shares: Promise<number[]>;
}

function makeSlot(): Slot {
  const shared = {
    bytes: new SharedArrayBuffer(BATCH_BYTES),
    offsets: new SharedArrayBuffer((BATCH_ENTRIES + 1) * 4),
    stored: new SharedArrayBuffer(BATCH_ENTRIES * 32),
    leaves: new SharedArrayBuffer(BATCH_ENTRIES * 32),
  };
  return {
    bytes: Buffer.from(shared.bytes),
    offsets: new Int32Array(shared.offsets),
    stored: Buffer.from(shared.stored),
    leaves: Buffer.from(shared.leaves),
    shared,
  };
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The stored hash as 32 bytes, or null when absent or malformed (push() then names the problem). */
function storedHash(value: ChainEntry['hash']): Buffer | null {
  if (typeof value === 'string') return HEX64.test(value) ? Buffer.from(value, 'hex') : null;
  return value && value.length === 32 ? value : null;
}

class HashWorker {
  private readonly worker: Worker;
  private readonly waiting: Array<{ resolve: (bad: number) => void; reject: (error: Error) => void }> = [];

  constructor(slots: Slot[]) {
    // execArgv: [] so a worker of a ts-node or jest process does not load TypeScript: it runs plain JS
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: slots.map((s) => s.shared) });
    this.worker.unref();
    this.worker.on('message', (bad: number) => this.waiting.shift()?.resolve(bad));
    this.worker.on('error', (error) => {
      for (const w of this.waiting.splice(0)) w.reject(error);
    });
  }

  check(slot: number, from: number, to: number, leaves: boolean): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage({ slot, from, to, leaves });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Splits an array into pages without copying entries. */
export function* pagesOf<T>(items: readonly T[], size = BATCH_ENTRIES): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * Where a verifier that also recomputes the Merkle tree sends the leaves (TreeRecomputer in
 * audit-tree-verify.ts): `pushLeaves` with leaf hashes made by the workers (32 bytes each,
 * `count` of them, for sequence numbers firstSeq..), `push` for an entry checked one by one.
 */
export interface LeafSink {
  pushLeaves(leaves: Buffer, count: number, firstSeq: number): void;
  push(entry: ChainEntry): void;
}

/**
 * Verifies pages of entries in sequence order (database pages, file lines, arrays); same result as
 * verifyChain. Uses worker threads when there are two or more CPUs and the pages are large.
 * With `tree`, every accepted entry also goes to the tree as its leaf hash, hashed by the workers
 * from the same canonical bytes as the chain (the entry's text is built once).
 */
export async function verifyChainParallel(
  pages: Iterable<ChainEntry[]> | AsyncIterable<ChainEntry[]>,
  options: ChainVerifierOptions & { requireCoverage?: boolean; parallel?: boolean; tree?: LeafSink },
): Promise<VerifyResult> {
  const verifier = new ChainVerifier(options);
  const tree = options.tree ?? null;
  const useWorkers = (options.parallel ?? true) && availableParallelism() >= 2;
  const slots = [makeSlot(), makeSlot()];
  let workers: HashWorker[] | null = null;
  let nextSlot = 0;
  let cursor = verifier.position.seq;
  let prevStored = verifier.position.hash;
  let pending: InFlight | null = null;

  /** Lays out entries from page[start] into a slot; stops before the first one push() must judge. */
  const prepare = (page: ChainEntry[], start: number): Prepared & { next: number; stop: ChainEntry | null } => {
    const slot = slots[nextSlot]!;
    const prepared = { slot: nextSlot, count: 0, entries: [] as ChainEntry[], seqs: [] as number[], hashes: [] as Buffer[] };
    let offset = 0;
    slot.offsets[0] = 0;
    let i = start;
    for (; i < page.length && prepared.count < BATCH_ENTRIES; i++) {
      const entry = page[i]!;
      const seq = Number(entry.seq);
      const stored = storedHash(entry.hash);
      if (seq !== cursor + 1 || stored === null) return { ...prepared, next: i, stop: entry };
      if (offset + 32 > BATCH_BYTES) break;
      slot.bytes.set(prevStored, offset);
      let length: number;
      try {
        length = writeCanonical(entry, slot.bytes, offset + 32);
      } catch {
        return { ...prepared, next: i, stop: entry };
      }
      if (length < 0) {
        if (prepared.count === 0) return { ...prepared, next: i, stop: entry }; // larger than a whole batch
        break;
      }
      offset += 32 + length;
      slot.stored.set(stored, prepared.count * 32);
      prepared.entries.push(entry);
      prepared.seqs.push(seq);
      prepared.hashes.push(stored);
      slot.offsets[++prepared.count] = offset;
      prevStored = stored;
      cursor = seq;
    }
    return { ...prepared, next: i, stop: null };
  };

  const dispatch = (prepared: Prepared): InFlight => {
    if (!workers && useWorkers && prepared.count >= MIN_PARALLEL) workers = Array.from({ length: WORKERS }, () => new HashWorker(slots));
    const pool = workers as HashWorker[] | null;
    if (!pool) {
      const bad = hashRange(sha256, slots[prepared.slot]!, 0, prepared.count, tree !== null);
      return { ...prepared, shares: Promise.resolve([bad]) };
    }
    const share = Math.ceil(prepared.count / pool.length);
    const shares: Promise<number>[] = [];
    for (let w = 0, from = 0; from < prepared.count; w++, from += share) {
      shares.push(pool[w]!.check(prepared.slot, from, Math.min(prepared.count, from + share), tree !== null));
    }
    return { ...prepared, shares: Promise.all(shares) };
  };

  /** Finishes a batch: the workers' answers, then acceptance in order (and the leaves to the tree). */
  const complete = async (batch: InFlight): Promise<boolean> => {
    const bad = (await batch.shares).find((b) => b >= 0) ?? -1;
    const good = bad >= 0 ? bad : batch.count;
    for (let k = 0; k < good; k++) if (!verifier.acceptVerified(batch.seqs[k]!, batch.hashes[k]!)) return false;
    if (tree && good > 0) tree.pushLeaves(slots[batch.slot]!.leaves, good, batch.seqs[0]!);
    return bad >= 0 ? pushOne(batch.entries[bad]!) : true;
  };

  /** An entry judged on this thread, by the sequential verifier. */
  const pushOne = (entry: ChainEntry): boolean => {
    if (!verifier.push(entry)) return false;
    tree?.push(entry);
    return true;
  };

  try {
    for await (const page of pages) {
      let i = 0;
      while (i < page.length) {
        const prepared = prepare(page, i);
        i = prepared.next;
        if (pending) {
          const ok = await complete(pending);
          pending = null;
          if (!ok) return verifier.finish(options);
        }
        if (prepared.count > 0) {
          pending = dispatch(prepared);
          nextSlot ^= 1;
        }
        if (prepared.stop) {
          if (pending) {
            const ok = await complete(pending);
            pending = null;
            if (!ok) return verifier.finish(options);
          }
          if (!pushOne(prepared.stop)) return verifier.finish(options);
          ({ seq: cursor, hash: prevStored } = verifier.position);
          i++;
        }
      }
    }
    if (pending) await complete(pending);
    return verifier.finish(options);
  } finally {
    if (pending) await pending.shares.catch(() => undefined);
    for (const worker of (workers as HashWorker[] | null) ?? []) await worker.close();
  }
}
