import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { KeyringService } from '@/crypto/keyring.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { publicKeyOfCertificate, VerifyResult, ZERO_HASH } from './audit-chain';
import { verifyChainParallel } from './audit-chain-parallel';
import { anchorLine, certificateSha256, checkpointLine, entryLine, treeHeadLine, treeHeadTimestampLine } from './audit-export';
import { checkpointsBetween, entryPages, Queryable, sealedHead } from './audit-sql';
import { describeHead, TreeHead } from './audit-tree-head';
import { checkAgainstKnownHead, checkTreeHeads, KnownHead, TreeRecomputer } from './audit-tree-verify';
import { treeHeadsBetween, treeHeadTimestampsBetween } from './audit-tree.repository';
import { checkpointBefore, checkpointFrom, firstSealedAfter, firstSeqFrom, lastSeqBefore } from './audit.repository';
import { AuditProofsService } from './audit-proofs.service';
import { AuditWitnessService } from './audit-witness.service';
import { AuditService } from './audit.service';

/** What `POST /audit/verify` answers: the chain's result plus the tree's and the head it was compared with. */
export interface AuditVerifyResult extends VerifyResult {
  /** The newest signed tree head in the database (0 and no root before the first). */
  treeSize: number;
  rootHash: string | null;
  treeHeadsChecked: number;
  /** The head from outside the database the trail was compared with; null when none was available. */
  witnessedHead: { source: string; treeSize: number; rootHash: string; at: string } | null;
}

const PAGE_SIZE = 10_000;

export interface ExportPlan {
  /** The chain just before the first exported entry: a checkpoint's head, or 0 and zeros. */
  anchorSeq: string;
  anchorHash: Buffer;
  /** Last exported entry: always a checkpoint's last entry, so every entry is signed. */
  toSeq: string;
  entryCount: number;
}

/** Recomputes the chain from the database, and writes exports for offline verification. */
@Injectable()
export class AuditVerifyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keyring: KeyringService,
    private readonly audit: AuditService,
    private readonly witnesses: AuditWitnessService,
    private readonly proofs: AuditProofsService,
  ) {}

  /** The certificate whose key signs checkpoints (PEM). */
  get certificatePem(): string {
    return this.keyring.signingCertPem;
  }

  get certificateSha256(): string {
    return certificateSha256(this.keyring.signingCertPem);
  }

  /**
   * Recomputes the whole sealed chain in pages of 10,000 and checks every checkpoint signature;
   * recomputes the Merkle tree from the same entries and checks every signed tree head; then
   * compares the newest tree head with a head known from outside the database: `given` (the
   * auditor's), else the newest in the witness directory. A trail that is smaller than that
   * head, or not an extension of it (RFC 9162 consistency), fails naming both heads.
   * Entries not sealed yet (newer than the last checkpoint) are not part of the answer.
   */
  async verifyDatabase(q?: Queryable, certPem = this.keyring.signingCertPem, given?: TreeHead): Promise<AuditVerifyResult> {
    // The witnessed head is read before the snapshot: a head is witnessed only after its round
    // committed, so the snapshot taken next always holds it (read after, it could be newer).
    const known = this.knownHead(certPem, given);
    // One snapshot for every query: a sealing round committing mid-way must not look like a removed checkpoint.
    if (!q) return this.dataSource.transaction('REPEATABLE READ', (manager) => this.verifyIn(manager, certPem, known));
    return this.verifyIn(q, certPem, known);
  }

  private async verifyIn(q: Queryable, certPem: string, known: KnownHead | null): Promise<AuditVerifyResult> {
    const publicKey = publicKeyOfCertificate(certPem);
    const head = await sealedHead(q);
    const checkpoints = await checkpointsBetween(q, '1', head.seq);
    const heads = await treeHeadsBetween(q, 1, Number.MAX_SAFE_INTEGER);
    const tree = new TreeRecomputer([...heads.map((h) => h.treeSize), ...(known ? [known.treeSize] : [])]);
    const chain = await verifyChainParallel(entryPages(q, '0', head.seq, PAGE_SIZE), { publicKey, checkpoints, tree });
    const newest = heads.length ? heads[heads.length - 1] : null;
    const result: AuditVerifyResult = {
      ...chain,
      treeSize: newest?.treeSize ?? 0,
      rootHash: newest ? newest.rootHash.toString('hex') : null,
      treeHeadsChecked: 0,
      witnessedHead: known ? { source: known.source, treeSize: known.treeSize, rootHash: known.rootHash.toString('hex'), at: known.at } : null,
    };
    const fail = (reason: string, firstBadSeq?: number): AuditVerifyResult => ({
      ...result,
      ok: false,
      reason,
      ...(firstBadSeq !== undefined ? { firstBadSeq } : {}),
    });
    if (!chain.ok) return result;
    // A sealed entry past the last checkpoint means a checkpoint was removed.
    const orphan = await firstSealedAfter(q, head.seq);
    if (orphan !== null) return fail(`entry ${orphan} is sealed but no checkpoint covers it (a checkpoint was removed)`, Number(orphan));
    if (tree.failure) return fail(tree.failure);
    const heldHeads = heads.filter((h) => h.treeSize <= Number(head.seq));
    if (heldHeads.length < heads.length) {
      const beyond = heads[heldHeads.length]!;
      return fail(
        `a signed tree head of size ${beyond.treeSize} lies beyond the ${head.seq} sealed entries (entries or checkpoints were removed)`,
        Number(head.seq) + 1,
      );
    }
    const treeCheck = checkTreeHeads(heads, tree, publicKey);
    result.treeHeadsChecked = treeCheck.checked;
    if (!treeCheck.ok) return fail(treeCheck.reason!);
    if ((newest?.treeSize ?? 0) !== Number(head.seq)) {
      return fail(
        `entries ${(newest?.treeSize ?? 0) + 1} to ${head.seq} are not covered by a signed tree head (a tree head was removed, or the sealer is still adding an older trail to the tree)`,
        (newest?.treeSize ?? 0) + 1,
      );
    }
    if (known) {
      const current = newest ?? { treeSize: 0, rootHash: tree.root(), at: undefined };
      let proof: Buffer[] | undefined;
      if (known.treeSize > 0 && known.treeSize <= current.treeSize) {
        try {
          proof = await this.proofs.consistencyPath(q, known.treeSize, current.treeSize);
        } catch {
          return fail(`the stored tree cannot prove consistency from ${describeHead(known)} (tree nodes are missing)`);
        }
      }
      const reason = checkAgainstKnownHead(known, current, tree.rootAt(known.treeSize), proof);
      if (reason) return fail(reason, current.treeSize < known.treeSize ? current.treeSize + 1 : undefined);
    }
    return result;
  }

  /** The auditor's head, else the newest head in the witness directory whose signature verifies. */
  private knownHead(certPem: string, given?: TreeHead): KnownHead | null {
    if (given) return { ...given, source: 'the head you gave' };
    const witnessed = this.witnesses.latestWitnessedHead(certPem);
    return witnessed ? { ...witnessed, source: `the witness directory (${witnessed.file} line ${witnessed.line})` } : null;
  }

  /** POST /audit/verify: verifies and records that it did, with the outcome. */
  async verifyAndRecord(actor: Staff, request: RequestMeta, given?: TreeHead): Promise<AuditVerifyResult> {
    const result = await this.verifyDatabase(undefined, this.keyring.signingCertPem, given);
    await this.audit.record({
      action: 'audit.verified',
      outcome: result.ok ? 'success' : 'failure',
      actor,
      request,
      details: {
        ok: result.ok,
        entriesChecked: result.entriesChecked,
        checkpointsChecked: result.checkpointsChecked,
        lastSeq: result.lastSeq,
        treeSize: result.treeSize,
        ...(result.witnessedHead ? { witnessedTreeSize: result.witnessedHead.treeSize } : {}),
        ...(result.firstBadSeq !== undefined ? { firstBadSeq: result.firstBadSeq } : {}),
      },
    });
    return result;
  }

  /**
   * Which entries an export of [from, to) holds: the sealed entries whose time falls in the
   * range, widened to whole sealing rounds (from just after one checkpoint to the next) so the
   * anchor and the last entry are both signed. Entry times follow commit order only roughly, so
   * a few entries just outside the range may be included; none inside it is left out.
   */
  async planExport(from?: Date, to?: Date): Promise<ExportPlan> {
    const q = this.dataSource;
    const head = await sealedHead(q);
    if (head.seq === '0') return { anchorSeq: '0', anchorHash: ZERO_HASH, toSeq: '0', entryCount: 0 };
    const first = from ? await firstSeqFrom(q, from, head.seq) : '1';
    const last = to ? await lastSeqBefore(q, to, head.seq) : head.seq;
    if (first === null || last === null || BigInt(first) > BigInt(last)) {
      // nothing in the range: an export of no entries, anchored at the signed head
      return { anchorSeq: head.seq, anchorHash: head.hash, toSeq: head.seq, entryCount: 0 };
    }
    const before = await checkpointBefore(q, first);
    const after = await checkpointFrom(q, last);
    const anchorSeq: string = before ? before.seq : '0';
    const toSeq: string = after ? after.seq : head.seq;
    return {
      anchorSeq,
      anchorHash: before ? before.hash : ZERO_HASH,
      toSeq,
      entryCount: Number(BigInt(toSeq) - BigInt(anchorSeq)),
    };
  }

  /** Records the take-out (持出し) before the first byte leaves. */
  async recordExport(plan: ExportPlan, range: { from?: Date; to?: Date }, actor: Staff, request: RequestMeta): Promise<void> {
    await this.audit.record({
      action: 'audit.exported',
      outcome: 'success',
      actor,
      request,
      details: {
        fromSeq: Number(plan.anchorSeq) + 1,
        toSeq: Number(plan.toSeq),
        entries: plan.entryCount,
        ...(range.from ? { from: range.from.toISOString() } : {}),
        ...(range.to ? { to: range.to.toISOString() } : {}),
      },
    });
  }

  /** The export as chunks of NDJSON lines: anchor, entries (a page per chunk), signed tree heads, their RFC 3161 timestamps, checkpoints. */
  async *exportChunks(plan: ExportPlan): AsyncGenerator<string> {
    yield anchorLine(plan.anchorSeq, plan.anchorHash);
    for await (const page of entryPages(this.dataSource, plan.anchorSeq, plan.toSeq, PAGE_SIZE)) {
      let chunk = '';
      for (const entry of page) chunk += entryLine(entry);
      yield chunk;
    }
    const fingerprint = this.certificateSha256;
    const checkpoints = await checkpointsBetween(this.dataSource, plan.anchorSeq === '0' ? '1' : plan.anchorSeq, plan.toSeq);
    let chunk = '';
    for (const head of await treeHeadsBetween(this.dataSource, Number(plan.anchorSeq) + 1, Number(plan.toSeq))) {
      chunk += treeHeadLine(head, head.certSha256);
    }
    for (const stamp of await treeHeadTimestampsBetween(this.dataSource, Number(plan.anchorSeq) + 1, Number(plan.toSeq))) {
      chunk += treeHeadTimestampLine(stamp.treeSize, stamp.token);
    }
    for (const cp of checkpoints) chunk += checkpointLine(cp, cp.certSha256 ?? fingerprint);
    if (chunk) yield chunk;
  }
}
