import { BadRequestException, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { EnvelopeService } from '@/crypto/envelope.service';
import { Subject } from '@/subjects/subject.entity';
import { MetricsService } from '@/metrics/metrics.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { BulkRevealDto } from './dto/number.dto';
import { RevealPolicyService } from './reveal-policy.service';
import { numberAad } from './subject-number.entity';
import { NumberHistoryRepository } from './number-history.repository';
import { NumbersRepository } from './numbers.repository';

export const BULK_BATCH_SIZE = 1000;

export interface BulkRow {
  subjectId: string;
  code: string;
  name: string;
  kind: string;
  number: string;
  /** フリガナ (issue #22). */
  nameKana: string | null;
  /** For a 配偶者・扶養親族: their employee's code; the rows follow that employee's row. */
  employeeCode: string | null;
}

/**
 * `undecryptable`: the stored record failed its integrity check (tampered or moved ciphertext).
 * `not-provided` (未提供): no number, and requests for it are recorded (the latest in `request`).
 * `disposed`: the number was disposed of (削除・廃棄記録). `no-number`: never stored, never requested.
 */
export type BulkSkipReason = 'purpose-not-notified' | 'no-number' | 'not-provided' | 'disposed' | 'not-found' | 'undecryptable';
export interface BulkSkip {
  subjectId: string;
  code: string | null;
  reason: BulkSkipReason;
  /** For not-provided: the latest request for the number. */
  request?: { requestedOn: string; means: string; answer: string };
}

export interface BulkSummary {
  bulkId: string;
  purpose: string;
  rows: number;
  skipped: BulkSkip[];
}

/** Where rows go (an HTTP stream in production). Each call resolves when the consumer can take more. */
export interface BulkSink {
  rows(rows: BulkRow[]): Promise<void>;
  finish(summary: BulkSummary): Promise<void>;
}

/** A checked request: who, for what, and which people, ready to stream. */
export interface BulkPlan {
  bulkId: string;
  purpose: string;
  staff: Staff;
  request: RequestMeta;
  subjects: Subject[];
  missingIds: string[];
  format: string;
  /** Dependents' employee codes (subject id → code), for the employee_code column. */
  employeeCodes?: Map<string, string>;
  /** Issue #19: the outside firm the export is handed to (提供). */
  recipient?: { firmId: string; firmName: string } | null;
  /** Issue #19: how the file leaves (never the passphrase itself); none = plain, for company clerks only (持出し). */
  encryption?: { kind: 'openpgp' | 'age' | 'passphrase'; keyId: string | null } | null;
}

/**
 * Year-end bulk retrieval: the same rule as a single reveal, per batch. Each batch is one
 * transaction that reads the ciphertexts and inserts one audit entry per person; rows are
 * decrypted and streamed only after that batch commits. Skipped people are listed, never dropped.
 */
@Injectable()
export class BulkRevealService {
  private readonly logger = new Logger(BulkRevealService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly policy: RevealPolicyService,
    private readonly subjects: SubjectsService,
    private readonly envelope: EnvelopeService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly history: NumberHistoryRepository,
    private readonly numbers: NumbersRepository,
  ) {}

  /** Checks the caller and the selection; throws (audited) before anything is streamed. */
  async plan(dto: BulkRevealDto, format: string, staff: Staff, request: RequestMeta): Promise<BulkPlan> {
    if (dto.subjectIds && (dto.kind || dto.activeInYear !== undefined)) {
      throw new BadRequestException({ code: 'bulk.selection-conflict', message: 'Give either subjectIds, or kind and/or activeInYear, not both' });
    }
    if (!dto.subjectIds && !dto.kind && dto.activeInYear === undefined) {
      throw new BadRequestException({ code: 'bulk.selection-missing', message: 'Say whom to retrieve: subjectIds, or kind and/or activeInYear' });
    }
    const refusal = this.policy.callerRefusal(staff, dto.purpose);
    if (refusal) throw await this.policy.refuse(refusal, staff, request, { purpose: dto.purpose, bulk: true });
    const selected = await this.subjects.select(dto);
    const found = new Set(selected.map((s) => s.id));
    const missingIds = (dto.subjectIds ?? []).filter((id) => !found.has(id));
    // issue #22: each employee's 配偶者・扶養親族 right after the employee (by employee code, then own code)
    const employeeIds = [...new Set(selected.filter((s) => s.kind === 'dependent' && s.employeeId).map((s) => s.employeeId!))];
    const employees = new Map((await this.subjects.findMany(employeeIds)).map((e) => [e.id, e.code]));
    const employeeCodes = new Map<string, string>();
    for (const s of selected) if (s.kind === 'dependent' && s.employeeId && employees.has(s.employeeId)) employeeCodes.set(s.id, employees.get(s.employeeId)!);
    const key = (s: Subject): [string, number, string] => [employeeCodes.get(s.id) ?? s.code, employeeCodes.has(s.id) ? 1 : 0, s.code];
    const subjects = [...selected].sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0);
    });
    return { bulkId: randomUUID(), purpose: dto.purpose!, staff, request, subjects, missingIds, format, employeeCodes };
  }

  async stream(plan: BulkPlan, sink: BulkSink): Promise<BulkSummary> {
    const skipped: BulkSkip[] = plan.missingIds.map((subjectId) => ({ subjectId, code: null, reason: 'not-found' as const }));
    let rowCount = 0;
    for (let i = 0; i < plan.subjects.length; i += BULK_BATCH_SIZE) {
      const batch = plan.subjects.slice(i, i + BULK_BATCH_SIZE);
      const { encrypted, batchSkips } = await this.readBatch(plan, batch);
      skipped.push(...batchSkips);
      // The batch's audit entries are committed: now, and only now, decrypt.
      const rows: BulkRow[] = [];
      const undecryptable: Subject[] = [];
      for (const { subject, row } of encrypted) {
        try {
          const number = this.envelope
            .decrypt({ ciphertext: row.ciphertext, wrappedKey: row.wrapped_key, keyVersion: row.key_version }, numberAad(row.record_id, subject.id))
            .toString('ascii');
          rows.push({
            subjectId: subject.id,
            code: subject.code,
            name: subject.name,
            kind: subject.kind,
            number,
            nameKana: subject.nameKana,
            employeeCode: plan.employeeCodes?.get(subject.id) ?? null,
          });
        } catch {
          // One damaged record must not sink the year-end export (nor cut the stream half-way):
          // it is listed as skipped, and the trail says its retrieval failed.
          undecryptable.push(subject);
        }
      }
      if (undecryptable.length) await this.recordUndecryptable(plan, undecryptable, skipped);
      rowCount += rows.length;
      this.metrics.revealed(plan.purpose, 'bulk', rows.length);
      if (rows.length) await sink.rows(rows);
    }
    const summary: BulkSummary = { bulkId: plan.bulkId, purpose: plan.purpose, rows: rowCount, skipped };
    // The take-out (持出し) record of the whole export.
    await this.audit.record({
      action: 'number.exported',
      outcome: 'success',
      actor: plan.staff,
      purpose: plan.purpose,
      request: plan.request,
      details: {
        bulkId: plan.bulkId,
        rows: rowCount,
        skipped: skipped.length,
        format: plan.format,
        skippedByReason: countBy(skipped.map((s) => s.reason)),
        // issue #19: handed to an outside firm = 提供 (provision); kept inside the company = 持出し (take-out)
        // and how it left: for the firm's OpenPGP key (its fingerprint), its age recipient, or a one-time passphrase (never recorded)
        transfer: plan.recipient
          ? {
              kind: 'provision',
              label: '提供',
              firmId: plan.recipient.firmId,
              firmName: plan.recipient.firmName,
              ...encryptionDetails(plan.encryption),
            }
          : plan.staff.firm
            ? { kind: 'provision', label: '提供', firmId: plan.staff.firm.id, firmName: plan.staff.firm.name, ...encryptionDetails(plan.encryption) }
            : { kind: 'take-out', label: '持出し', ...encryptionDetails(plan.encryption) },
      },
    });
    await sink.finish(summary);
    return summary;
  }

  private async recordUndecryptable(plan: BulkPlan, subjects: Subject[], skipped: BulkSkip[]): Promise<void> {
    this.logger.error(`Bulk retrieval ${plan.bulkId}: ${subjects.length} stored record(s) failed the integrity check; listed as skipped`);
    skipped.push(...subjects.map((s) => ({ subjectId: s.id, code: s.code, reason: 'undecryptable' as const })));
    await this.audit.recordMany(
      subjects.map((s) => ({
        action: 'number.bulk-retrieved' as const,
        outcome: 'failure' as const,
        actor: plan.staff,
        subjectId: s.id,
        purpose: plan.purpose,
        request: plan.request,
        details: { bulkId: plan.bulkId, reason: 'undecryptable' },
      })),
    );
  }

  /** Why a person told of the purpose has no number: disposed of, not provided (requested), or neither. */
  private missingSkip(subject: Subject, request: { requestedOn: string; means: string; answer: string } | undefined, disposed: boolean): BulkSkip {
    if (request && !disposed) {
      return {
        subjectId: subject.id,
        code: subject.code,
        reason: 'not-provided',
        request: { requestedOn: request.requestedOn, means: request.means, answer: request.answer },
      };
    }
    return { subjectId: subject.id, code: subject.code, reason: disposed ? 'disposed' : 'no-number' };
  }

  private async readBatch(plan: BulkPlan, batch: Subject[]) {
    return this.dataSource.transaction(async (manager) => {
      const ids = batch.map((s) => s.id);
      const notified = await this.subjects.notifiedAmong(ids, plan.purpose, manager);
      const eligible = ids.filter((id) => notified.has(id));
      const found = await this.numbers.encryptedAmong(eligible, manager);
      const bySubject = new Map(found.map((r) => [r.subject_id, r]));
      const missing = eligible.filter((id) => !bySubject.has(id));
      const [requested, disposed] = await Promise.all([this.subjects.numberRequestsAmong(missing, manager), this.history.disposedAmong(missing, manager)]);
      const batchSkips: BulkSkip[] = [];
      const encrypted: { subject: Subject; row: (typeof found)[number] }[] = [];
      for (const subject of batch) {
        const row = bySubject.get(subject.id);
        if (!notified.has(subject.id)) batchSkips.push({ subjectId: subject.id, code: subject.code, reason: 'purpose-not-notified' });
        else if (!row) batchSkips.push(this.missingSkip(subject, requested.get(subject.id), disposed.has(subject.id)));
        else encrypted.push({ subject, row });
      }
      await this.audit.recordMany(
        encrypted.map(({ subject }) => ({
          action: 'number.bulk-retrieved' as const,
          outcome: 'success' as const,
          actor: plan.staff,
          subjectId: subject.id,
          purpose: plan.purpose,
          request: plan.request,
          details: { bulkId: plan.bulkId },
        })),
        manager,
      );
      return { encrypted, batchSkips };
    });
  }
}

function encryptionDetails(encryption: BulkPlan['encryption']): Record<string, string> {
  if (!encryption) return { encryption: 'none' };
  if (encryption.kind === 'openpgp') return { encryption: 'openpgp', recipientFingerprint: encryption.keyId ?? '' };
  if (encryption.kind === 'age') return { encryption: 'age', ageRecipient: encryption.keyId ?? '' };
  return { encryption: 'passphrase', passphraseDelivery: 'separately' };
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
