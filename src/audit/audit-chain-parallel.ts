import { createHash, hash as oneShotHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ChainEntry, ChainVerifier, ChainVerifierOptions, VerifyResult, writeCanonical } from './audit-chain';

/**
 * The same verification as ChainVerifier.push, with the SHA-256 work spread over two threads.
 *
 * Why this is equivalent: the sequential verifier recomputes hash_n from hash_{n-1} and stops at
 * the first n whose recomputed hash differs from the stored one. Up to that n every recomputed
 * hash equals the stored hash, so checking SHA-256(stored_{n-1} || canonical_n) == stored_n for
 * every n independently finds the same first n. This thread lays out (stored_{n-1}, canonical_n)
 * byte ranges in shared memory and checks order, presence and checkpoints; a worker (plus a
 * share on this thread) hashes. Anything unusual is handed to ChainVerifier.push, so every
 * answer and message is the sequential verifier's.
 *
 * Node's per-call cost of one SHA-256 (about 1.5 µs here, far more than hashing 500 bytes) is
 * what makes one thread fall short of 300,000 entries/s on a 2-core machine.
 */

const BATCH_ENTRIES = 8192;
const BATCH_BYTES = 8 * 1024 * 1024;
/** Share of each batch hashed on this thread. Building the canonical texts already keeps it the busier one. */
const MAIN_SHARE = 0;
/** Below this many entries in a page a worker is not worth starting. */
const MIN_PARALLEL = 2048;

const sha256 =
  typeof oneShotHash === 'function' ? (data: Buffer) => oneShotHash('sha256', data, 'buffer') : (data: Buffer) => createHash('sha256').update(data).digest();

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const sha = typeof crypto.hash === 'function'
  ? (b) => crypto.hash('sha256', b, 'buffer')
  : (b) => crypto.createHash('sha256').update(b).digest();
const slots = workerData.map((s) => ({ bytes: Buffer.from(s.bytes), offsets: new Int32Array(s.offsets), stored: Buffer.from(s.stored) }));
parentPort.on('message', ({ slot, from, to }) => {
  const { bytes, offsets, stored } = slots[slot];
  let bad = -1;
  for (let i = from; i < to; i++) {
    if (sha(bytes.subarray(offsets[i], offsets[i + 1])).compare(stored, i * 32, i * 32 + 32) !== 0) { bad = i; break; }
  }
  parentPort.postMessage(bad);
});
`;

interface Slot {
  bytes: Buffer;
  offsets: Int32Array;
  stored: Buffer;
  shared: { bytes: SharedArrayBuffer; offsets: SharedArrayBuffer; stored: SharedArrayBuffer };
}

interface Prepared {
  slot: number;
  count: number;
  entries: ChainEntry[];
  seqs: number[];
  hashes: Buffer[];
}

interface InFlight extends Prepared {
  split: number;
  worker: Promise<number>;
}

function makeSlot(): Slot {
  const shared = {
    bytes: new SharedArrayBuffer(BATCH_BYTES),
    offsets: new SharedArrayBuffer((BATCH_ENTRIES + 1) * 4),
    stored: new SharedArrayBuffer(BATCH_ENTRIES * 32),
  };
  return { bytes: Buffer.from(shared.bytes), offsets: new Int32Array(shared.offsets), stored: Buffer.from(shared.stored), shared };
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The stored hash as 32 bytes, or null when absent or malformed (push() then names the problem). */
function storedHash(value: ChainEntry['hash']): Buffer | null {
  if (typeof value === 'string') return HEX64.test(value) ? Buffer.from(value, 'hex') : null;
  return value && value.length === 32 ? value : null;
}

function hashRange(slot: Slot, from: number, to: number): number {
  const { bytes, offsets, stored } = slot;
  for (let i = from; i < to; i++) {
    if (sha256(bytes.subarray(offsets[i], offsets[i + 1])).compare(stored, i * 32, i * 32 + 32) !== 0) return i;
  }
  return -1;
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

  check(slot: number, from: number, to: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage({ slot, from, to });
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
 * Verifies pages of entries in sequence order (database pages, file lines, arrays); same result as
 * verifyChain. Uses a worker thread when there are two or more CPUs and the pages are large.
 */
export async function verifyChainParallel(
  pages: Iterable<ChainEntry[]> | AsyncIterable<ChainEntry[]>,
  options: ChainVerifierOptions & { requireCoverage?: boolean; parallel?: boolean },
): Promise<VerifyResult> {
  const verifier = new ChainVerifier(options);
  const useWorker = (options.parallel ?? true) && availableParallelism() >= 2;
  const slots = [makeSlot(), makeSlot()];
  let worker: HashWorker | null = null;
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
    if (!worker && useWorker && prepared.count >= MIN_PARALLEL) worker = new HashWorker(slots);
    const split = worker ? Math.floor(prepared.count * (1 - MAIN_SHARE)) : 0;
    return { ...prepared, split, worker: worker && split > 0 ? worker.check(prepared.slot, 0, split) : Promise.resolve(-1) };
  };

  /** Finishes a batch: this thread's share of hashing, the worker's answer, then acceptance in order. */
  const complete = async (batch: InFlight): Promise<boolean> => {
    const mine = hashRange(slots[batch.slot]!, batch.split, batch.count);
    const theirs = await batch.worker;
    const bad = theirs >= 0 ? theirs : mine;
    const good = bad >= 0 ? bad : batch.count;
    for (let k = 0; k < good; k++) if (!verifier.acceptVerified(batch.seqs[k]!, batch.hashes[k]!)) return false;
    return bad >= 0 ? verifier.push(batch.entries[bad]!) : true;
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
          if (!verifier.push(prepared.stop)) return verifier.finish(options);
          ({ seq: cursor, hash: prevStored } = verifier.position);
          i++;
        }
      }
    }
    if (pending) await complete(pending);
    return verifier.finish(options);
  } finally {
    if (pending) await pending.worker.catch(() => undefined);
    const started = worker as HashWorker | null;
    if (started) await started.close();
  }
}
