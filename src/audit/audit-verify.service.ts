import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { KeyringService } from '@/crypto/keyring.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { publicKeyOfCertificate, VerifyResult, ZERO_HASH } from './audit-chain';
import { verifyChainParallel } from './audit-chain-parallel';
import { anchorLine, certificateSha256, checkpointLine, entryLine } from './audit-export';
import { checkpointsBetween, entryPages, Queryable, sealedHead } from './audit-sql';
import { AuditService } from './audit.service';

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
  ) {}

  /** The certificate whose key signs checkpoints (PEM). */
  get certificatePem(): string {
    return this.keyring.signingCertPem;
  }

  get certificateSha256(): string {
    return certificateSha256(this.keyring.signingCertPem);
  }

  /**
   * Recomputes the whole sealed chain in pages of 10,000 and checks every checkpoint signature.
   * Entries not sealed yet (newer than the last checkpoint) are not part of the answer.
   */
  async verifyDatabase(q?: Queryable, certPem = this.keyring.signingCertPem): Promise<VerifyResult> {
    // One snapshot for every query: a sealing round committing mid-way must not look like a removed checkpoint.
    if (!q) return this.dataSource.transaction('REPEATABLE READ', (manager) => this.verifyDatabase(manager, certPem));
    const head = await sealedHead(q);
    const checkpoints = await checkpointsBetween(q, '1', head.seq);
    const result = await verifyChainParallel(entryPages(q, '0', head.seq, PAGE_SIZE), {
      publicKey: publicKeyOfCertificate(certPem),
      checkpoints,
    });
    if (result.ok) {
      // A sealed entry past the last checkpoint means a checkpoint was removed.
      const orphan = await q.query(`SELECT seq::text AS seq FROM audit_entry WHERE seq > $1 AND hash IS NOT NULL ORDER BY seq LIMIT 1`, [head.seq]);
      if (orphan.length) {
        return { ...result, ok: false, firstBadSeq: Number(orphan[0].seq), reason: `entry ${orphan[0].seq} is sealed but no checkpoint covers it (a checkpoint was removed)` };
      }
    }
    return result;
  }

  /** POST /audit/verify: verifies and records that it did, with the outcome. */
  async verifyAndRecord(actor: Staff, request: RequestMeta): Promise<VerifyResult> {
    const result = await this.verifyDatabase();
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
    const [{ first }] = from
      ? await q.query(`SELECT min(seq)::text AS first FROM audit_entry WHERE at >= $1 AND seq <= $2`, [from, head.seq])
      : [{ first: '1' }];
    const [{ last }] = to
      ? await q.query(`SELECT max(seq)::text AS last FROM audit_entry WHERE at < $1 AND seq <= $2`, [to, head.seq])
      : [{ last: head.seq }];
    if (first === null || last === null || BigInt(first) > BigInt(last)) {
      // nothing in the range: an export of no entries, anchored at the signed head
      return { anchorSeq: head.seq, anchorHash: head.hash, toSeq: head.seq, entryCount: 0 };
    }
    const before = await q.query(
      `SELECT last_seq::text AS seq, head_hash AS hash FROM audit_checkpoint WHERE last_seq < $1 ORDER BY last_seq DESC LIMIT 1`,
      [first],
    );
    const after = await q.query(`SELECT last_seq::text AS seq FROM audit_checkpoint WHERE last_seq >= $1 ORDER BY last_seq LIMIT 1`, [last]);
    const anchorSeq: string = before.length ? before[0].seq : '0';
    const toSeq: string = after.length ? after[0].seq : head.seq;
    return {
      anchorSeq,
      anchorHash: before.length ? before[0].hash : ZERO_HASH,
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

  /** The export as chunks of NDJSON lines: anchor, entries (a page per chunk), checkpoints. */
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
    for (const cp of checkpoints) chunk += checkpointLine(cp, cp.certSha256 ?? fingerprint);
    if (chunk) yield chunk;
  }
}
