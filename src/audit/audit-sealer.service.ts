import { MetricsService } from '@/metrics/metrics.service';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { createPrivateKey, KeyObject } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { KeyringService } from '@/crypto/keyring.service';
import { redactDigits } from '@/common/logging/redact';
import { canonicalEntry, entryHashes, formatAuditTime, publicKeyOfCertificate, signCheckpoint, verifyCheckpointSignature } from './audit-chain';
import { certificateSha256 } from './audit-export';
import { entriesAfter, EntryRow, MAX_SEQ, sealedHead } from './audit-sql';
import { signTreeHead, TreeHead, treeHeadJson, TreeHeadJson, verifyTreeHeadSignature } from './audit-tree-head';
import { fetchNodes, insertNodes, insertTreeHead, storedTreeSize } from './audit-tree.repository';
import { countUnsealed, fillGap, insertCheckpoint, lockForSealing, sealEntries } from './audit.repository';
import { AuditWitnessService } from './audit-witness.service';
import { CompactRange, frontierNodes, leafHash, nodeKey } from './merkle';

interface SigningKey {
  pem: string;
  privateKey: KeyObject;
  certPem: string;
  publicKey: KeyObject;
  certSha256: string;
}

/** pg_try_advisory_xact_lock key of the sealer ("MNVASEAL"); other jobs use other keys. */
export const SEALER_LOCK_KEY = '5570457453591626060';
export const SEAL_BATCH_SIZE = 5000;
/** At most this many already-sealed entries are added to a tree that lags the chain in one round (a trail older than the tree). */
export const TREE_BACKFILL_PER_ROUND = 50_000;

export interface SealRoundResult {
  /** False when another sealer held the lock; nothing was done. */
  locked: boolean;
  /** Entries linked into the chain this round (rolled-back gaps included). */
  sealed: number;
  /** Gap entries written for sequence numbers whose transactions rolled back. */
  gapsFilled: number;
  /** The last sealed sequence number after the round. */
  headSeq: string | null;
  checkpointId: string | null;
  /** The signed tree head written this round (null when the tree did not grow). */
  treeHead: TreeHeadJson | null;
  /** Entries sealed before the tree existed, added to the tree this round. */
  treeBackfilled: number;
  /** A missing sequence number still inside its grace period: sealing stops before it. */
  waitingForSeq: string | null;
}

const NOTHING: SealRoundResult = {
  locked: false,
  sealed: 0,
  gapsFilled: 0,
  headSeq: null,
  checkpointId: null,
  treeHead: null,
  treeBackfilled: 0,
  waitingForSeq: null,
};

interface PendingTree {
  range: CompactRange;
  startSize: number;
  levels: number[];
  indexes: number[];
  hashes: Buffer[];
  store: (level: number, index: number, hash: Buffer) => void;
}

/**
 * Links new audit entries into the hash chain and signs a checkpoint after every round that
 * sealed something. Any number of instances may run: each round takes a transaction-scoped
 * advisory lock with pg_try_advisory_xact_lock and skips when another instance holds it, and
 * audit_checkpoint.last_seq is unique, so the chain cannot fork. Writers never wait for it.
 *
 * Gaps: sequence numbers are taken at INSERT but commit in any order, so the next number may be
 * missing only because its transaction has not committed yet. The sealer only ever links a
 * contiguous run from the last sealed entry. When a number stays missing for AUDIT_GAP_GRACE_MS
 * it writes an `audit.gap` entry with that number (INSERT ... ON CONFLICT DO NOTHING). If the
 * writer is in fact still running, PostgreSQL makes that INSERT wait for it (at most the
 * lock_timeout): when the writer commits, its entry wins and is sealed instead; when it rolled
 * back, the gap entry takes its place. Either way the chain has no holes, and a hole found
 * later can only mean a removed entry.
 */
@Injectable()
export class AuditSealerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditSealerService.name);
  private readonly intervalMs: number;
  private readonly gapGraceMs: number;
  private readonly enabled: boolean;
  private readonly treeEnabled: boolean;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * When this instance first saw each missing run of sequence numbers (keyed by its first number),
   * by the injected clock (tests move it) and by the real clock (a test that pins the clock must
   * not stop sealing): the grace period is over when either says so.
   */
  private readonly gapsSeen = new Map<string, { clock: number; real: number }>();
  private key: SigningKey | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: ClockService,
    private readonly keyring: KeyringService,
    config: ConfigService<Env, true>,
    metrics: MetricsService,
    private readonly witnesses: AuditWitnessService,
  ) {
    metrics.gauge('mnv_audit_unsealed_entries', 'Audit entries not yet linked into the hash chain (sealing lag)', () => countUnsealed(this.dataSource));
    this.intervalMs = config.get('SEAL_INTERVAL_MS', { infer: true });
    this.gapGraceMs = config.get('AUDIT_GAP_GRACE_MS', { infer: true });
    this.enabled = config.get('AUDIT_SEALER_ENABLED', { infer: true });
    this.treeEnabled = config.get('AUDIT_TREE_ENABLED', { infer: true }) ?? true;
  }

  onApplicationBootstrap(): void {
    if (this.enabled) this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Starts sealing every SEAL_INTERVAL_MS (at once again while a backlog remains). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the timer and waits for a round in progress, so the database can close cleanly. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.queue.catch(() => undefined);
  }

  /**
   * Seals everything that can be sealed now (for tests and operators): repeats rounds until one
   * seals less than a full batch, waiting up to `timeoutMs` while another instance holds the lock.
   */
  async sealNow(timeoutMs = 10_000): Promise<SealRoundResult> {
    const deadline = Date.now() + timeoutMs;
    const total: SealRoundResult = { ...NOTHING, locked: true };
    for (;;) {
      const round = await this.exclusive(() => this.sealRound());
      if (!round.locked) {
        if (Date.now() > deadline) return { ...total, locked: false };
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      total.sealed += round.sealed;
      total.gapsFilled += round.gapsFilled;
      total.headSeq = round.headSeq;
      total.checkpointId = round.checkpointId ?? total.checkpointId;
      total.treeHead = round.treeHead ?? total.treeHead;
      total.treeBackfilled += round.treeBackfilled;
      total.waitingForSeq = round.waitingForSeq;
      if (round.treeBackfilled > 0) continue;
      if (round.sealed < SEAL_BATCH_SIZE || round.waitingForSeq) return total;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref(); // never what keeps a process (a CLI command, a test) alive
  }

  private async tick(): Promise<void> {
    let backlog = false;
    if (this.keyring.sealed) {
      // custody mode before unseal: no signing key in memory; entries wait and are sealed afterwards
      this.schedule(this.intervalMs);
      return;
    }
    try {
      const round = await this.exclusive(() => this.sealRound());
      backlog = round.locked && (round.sealed >= SEAL_BATCH_SIZE || round.treeBackfilled > 0);
    } catch (error) {
      const e = error as { code?: string; message?: string };
      const message = `Sealing round failed: ${redactDigits(String(e?.message ?? error))}`;
      if (e?.code === '55P03')
        this.logger.warn(message); // lock_timeout waiting for a slow writer: try again
      else this.logger.error(message);
    }
    this.schedule(backlog ? 0 : this.intervalMs);
  }

  /** Rounds in this process run one after another (the advisory lock orders them across processes). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * One transaction: lock, link a contiguous run of up to SEAL_BATCH_SIZE entries, append them to
   * the Merkle tree, sign a checkpoint and a tree head. After the commit the tree head goes to
   * the witnesses.
   */
  async sealRound(): Promise<SealRoundResult> {
    const result = await this.dataSource.transaction((m) => this.sealInTransaction(m));
    if (result.treeHead) this.witnesses.offer(result.treeHead);
    return result;
  }

  private async sealInTransaction(m: EntityManager): Promise<SealRoundResult> {
    {
      if (!(await lockForSealing(m, SEALER_LOCK_KEY))) return { ...NOTHING };
      const head = await sealedHead(m);
      const tree = this.treeEnabled ? await this.loadTree(m, Number(head.seq)) : null;
      if (tree && tree.range.size < Number(head.seq)) {
        // The trail is older than the tree: add sealed entries first, a slice per round.
        const backfilled = await this.backfillTree(m, tree, Number(head.seq));
        const treeHead = await this.writeTreeHead(m, tree);
        return { ...NOTHING, locked: true, headSeq: head.seq, treeHead, treeBackfilled: backfilled };
      }
      let prevSeq = BigInt(head.seq);
      let prev = head.hash;
      const seqs: string[] = [];
      const hashes: Buffer[] = [];
      let gapsFilled = 0;
      let waitingForSeq: string | null = null;
      for (let pass = 0; seqs.length < SEAL_BATCH_SIZE && pass < 1000; pass++) {
        const wanted = SEAL_BATCH_SIZE - seqs.length;
        const rows = await entriesAfter(m, prevSeq.toString(), MAX_SEQ, wanted);
        let missing: [bigint, bigint] | null = null;
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i]!;
          const seq = BigInt(row.seq);
          if (seq !== prevSeq + 1n) {
            missing = [prevSeq + 1n, seq - 1n];
            this.noteGaps(prevSeq, rows, i);
            break;
          }
          if (row.hash !== null) throw new Error(`audit entry ${row.seq} has a hash but no checkpoint covers it`);
          const hashes2 = entryHashes(prev, row);
          prev = hashes2.chain;
          tree?.range.append(hashes2.leaf, tree.store);
          seqs.push(row.seq);
          hashes.push(prev);
          prevSeq = seq;
        }
        if (!missing) {
          if (rows.length < wanted) break;
          continue;
        }
        const filled = await this.fillGap(m, missing[0], missing[1]);
        if (filled === null) {
          waitingForSeq = missing[0].toString();
          break;
        }
        gapsFilled += filled;
      }
      if (seqs.length === 0) return { ...NOTHING, locked: true, gapsFilled, headSeq: head.seq, waitingForSeq };

      const n = await sealEntries(m, seqs, hashes);
      if (n !== seqs.length) throw new Error(`sealed ${n} of ${seqs.length} audit entries: another sealer interfered`);
      const checkpointId = await this.writeCheckpoint(m, seqs[seqs.length - 1]!, prev);
      const treeHead = tree ? await this.writeTreeHead(m, tree) : null;
      return { ...NOTHING, locked: true, sealed: seqs.length, gapsFilled, headSeq: seqs[seqs.length - 1] ?? null, checkpointId, treeHead, waitingForSeq };
    }
  }

  /** The right edge of the stored tree (at most 63 rows), and a buffer for the nodes this round makes. */
  private async loadTree(m: EntityManager, sealedSeq: number): Promise<PendingTree> {
    const size = await storedTreeSize(m);
    if (size > sealedSeq) throw new Error(`the audit tree holds ${size} leaves but only ${sealedSeq} entries are sealed`);
    const refs = frontierNodes(size);
    const found = await fetchNodes(m, refs);
    const edge = new Map<number, Buffer>();
    for (const ref of refs) {
      const hash = found.get(nodeKey(ref.level, ref.index));
      if (hash) edge.set(ref.level, hash);
    }
    const pending: PendingTree = {
      range: new CompactRange(size, edge),
      startSize: size,
      levels: [],
      indexes: [],
      hashes: [],
      store: (level, index, hash) => {
        pending.levels.push(level);
        pending.indexes.push(index);
        pending.hashes.push(hash);
      },
    };
    return pending;
  }

  private async backfillTree(m: EntityManager, tree: PendingTree, sealedSeq: number): Promise<number> {
    const until = Math.min(sealedSeq, tree.range.size + TREE_BACKFILL_PER_ROUND);
    while (tree.range.size < until) {
      const rows = await entriesAfter(m, String(tree.range.size), String(until), SEAL_BATCH_SIZE);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (Number(row.seq) !== tree.range.size + 1) throw new Error(`audit entry ${tree.range.size + 1} is missing from the sealed chain`);
        tree.range.append(leafHash(canonicalEntry(row)), tree.store);
      }
    }
    return tree.range.size - tree.startSize;
  }

  /** Stores the round's new nodes and signs a tree head of the new size (null when the tree did not grow). */
  private async writeTreeHead(m: EntityManager, tree: PendingTree): Promise<TreeHeadJson | null> {
    if (tree.range.size === tree.startSize) return null;
    await insertNodes(m, tree.levels, tree.indexes, tree.hashes);
    const key = this.signingKey();
    const signedAt = this.clock.now();
    const head: TreeHead = { treeSize: tree.range.size, rootHash: tree.range.root(), at: formatAuditTime(signedAt), signature: Buffer.alloc(0) };
    head.signature = signTreeHead(head, key.privateKey);
    if (!verifyTreeHeadSignature(head, key.publicKey)) throw new Error('the audit signing key does not match its certificate');
    await insertTreeHead(m, head, signedAt, key.certSha256);
    return treeHeadJson(head, key.certSha256);
  }

  /**
   * Sequence numbers [from, to] are missing. Returns null while still within the grace period,
   * otherwise writes gap entries for them (up to a batch) and returns how many it wrote.
   */
  private async fillGap(m: EntityManager, from: bigint, to: bigint): Promise<number | null> {
    const now = this.clock.now();
    const first = from.toString();
    const since = this.gapsSeen.get(first) ?? { clock: now.getTime(), real: Date.now() };
    if (now.getTime() - since.clock < this.gapGraceMs && Date.now() - since.real < this.gapGraceMs) return null;
    const last = to - from >= BigInt(SEAL_BATCH_SIZE) ? from + BigInt(SEAL_BATCH_SIZE - 1) : to;
    // The app role may not choose a seq (issue #16): fillGap calls audit_fill_gap() (SECURITY DEFINER).
    const inserted = await fillGap(m, first, last.toString(), now);
    this.gapsSeen.delete(first);
    if (inserted.length) this.logger.log(`Recorded ${inserted.length} rolled-back audit sequence number(s) from ${first}`);
    return inserted.length;
  }

  /**
   * Starts the grace period of every missing run among rows[from..] at once (the round stops at
   * the first), so a burst of rolled-back writers costs one grace period, not one each.
   */
  private noteGaps(prevSeq: bigint, rows: EntryRow[], from: number): void {
    const now = { clock: this.clock.now().getTime(), real: Date.now() };
    let last = prevSeq;
    for (let i = from; i < rows.length; i++) {
      const seq = BigInt(rows[i]!.seq);
      if (seq > last + 1n) {
        const key = (last + 1n).toString();
        if (!this.gapsSeen.has(key)) this.gapsSeen.set(key, now);
      }
      last = seq;
    }
    for (const key of this.gapsSeen.keys()) if (BigInt(key) <= prevSeq) this.gapsSeen.delete(key); // sealed past: forget
    while (this.gapsSeen.size > 10_000) this.gapsSeen.delete(this.gapsSeen.keys().next().value as string);
  }

  private async writeCheckpoint(m: EntityManager, lastSeq: string, head: Buffer): Promise<string> {
    const key = this.signingKey();
    const signedAt = this.clock.now();
    const checkpoint = { id: 0, seq: lastSeq, head, at: formatAuditTime(signedAt), signature: Buffer.alloc(0) };
    checkpoint.signature = signCheckpoint(checkpoint, key.privateKey);
    if (!verifyCheckpointSignature(checkpoint, key.publicKey)) {
      throw new Error('the audit signing key does not match its certificate');
    }
    return insertCheckpoint(m, { lastSeq, head, signedAt, signature: checkpoint.signature, certSha256: key.certSha256 });
  }

  private signingKey(): SigningKey {
    const pem = this.keyring.signingKeyPem;
    const certPem = this.keyring.signingCertPem;
    if (!this.key || this.key.pem !== pem || this.key.certPem !== certPem) {
      this.key = {
        pem,
        privateKey: createPrivateKey(pem),
        certPem,
        publicKey: publicKeyOfCertificate(certPem),
        certSha256: certificateSha256(certPem),
      };
    }
    return this.key;
  }
}
