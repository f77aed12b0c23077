import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ConfigService } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { EnvelopeService } from '@/crypto/envelope.service';
import { NumbersService } from '@/numbers/numbers.service';
import { refusalError, RevealPolicyService } from '@/numbers/reveal-policy.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { localDate } from '@/retention/due-dates';
import { CollectionNotice } from './collection-notice';
import { CollectionRepository } from './collection.repository';
import { COLLECTION_NOTICE } from './collection-submit.service';
import { ListSubmissionsQuery, ReturnSubmissionDto } from './dto/collection.dto';
import { CollectionEntry, entryAad } from './entities/collection-entry.entity';
import { imageAad } from './entities/collection-image.entity';
import { CollectionSubmission } from './entities/collection-submission.entity';

/** The purpose every look at a submission is recorded under. */
export const IDENTITY_CHECK_PURPOSE = 'identity-check';
const LIST_LIMIT = 200;

const notFound = () => new NotFoundException({ code: 'collection.submission-not-found', message: 'No such submission' });
const notWaiting = (status: string) =>
  new ConflictException({ code: 'collection.submission-not-waiting', message: `This submission was already reviewed (${status})` });

/** Review of submissions: list, look (audited, purpose identity-check), approve, send back. */
@Injectable()
export class CollectionReviewService implements OnModuleInit {
  private readonly keepImages: boolean;
  private readonly stepUpMs: number;

  constructor(
    config: ConfigService<Env, true>,
    private readonly repo: CollectionRepository,
    private readonly subjects: SubjectsService,
    private readonly numbers: NumbersService,
    private readonly policy: RevealPolicyService,
    private readonly envelope: EnvelopeService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    @Inject(COLLECTION_NOTICE) private readonly notice: CollectionNotice,
  ) {
    this.keepImages = config.get('COLLECTION_KEEP_IMAGES', { infer: true });
    this.stepUpMs = config.get('STEP_UP_MINUTES', { infer: true }) * 60_000;
  }

  /** Photos kept after approval (COLLECTION_KEEP_IMAGES) go when the person's number is disposed of, in that transaction. */
  onModuleInit(): void {
    this.numbers.onDispose((subjectId, manager) => this.deleteKeptImages(subjectId, manager));
  }

  async deleteKeptImages(subjectId: string, manager: EntityManager): Promise<void> {
    const now = this.clock.now();
    for (const { submissionId, count } of await this.repo.deleteKeptImagesOf(subjectId, manager)) {
      await this.repo.updateSubmission(submissionId, { imagesDeletedAt: now }, manager);
      await this.audit.record(
        { action: 'collection.images-deleted', outcome: 'success', subjectId, details: { submissionId, count, when: 'disposal' } },
        manager,
      );
    }
  }

  async list(query: ListSubmissionsQuery) {
    const submissions = await this.repo.listSubmissions(query.status ?? 'waiting', LIST_LIMIT);
    const ids = submissions.map((s) => s.id);
    const [entries, images, people] = await Promise.all([
      this.repo.entriesOf(ids),
      this.repo.imagesOf(ids),
      this.subjects.findMany([...new Set(submissions.map((s) => s.subjectId))]),
    ]);
    const byId = new Map(people.map((p) => [p.id, p]));
    return {
      items: submissions.map((s) => ({
        id: s.id,
        requestId: s.requestId,
        status: s.status,
        subject: { id: s.subjectId, code: byId.get(s.subjectId)?.code ?? null, name: byId.get(s.subjectId)?.name ?? null },
        submittedAt: s.submittedAt,
        acknowledgedAt: s.acknowledgedAt,
        purposes: s.purposes,
        numberDocument: s.numberDocument,
        identityDocuments: s.identityDocuments,
        reviewedAt: s.reviewedAt,
        returnReason: s.returnReason,
        flagged: entries.some((e) => e.submissionId === s.id && e.duplicate),
        entries: entries.filter((e) => e.submissionId === s.id).map((e) => this.entryView(e)),
        images: images
          .filter((i) => i.submissionId === s.id)
          .map((i) => ({ id: i.id, entry: i.entryPosition, document: i.document, side: i.side, contentType: i.contentType, bytes: i.bytes })),
      })),
    };
  }

  /** The submitted numbers, to compare with the photos: recorded (purpose identity-check) before they leave. */
  async revealNumbers(id: string, staff: Staff, request: RequestMeta): Promise<{ entries: { id: string; number: string | null }[] }> {
    const submission = await this.lookable(id, staff, request);
    const entries = await this.repo.transaction(async (manager) => {
      const rows = await this.repo.entriesOf([id], manager);
      await this.audit.record(
        {
          action: 'collection.revealed',
          outcome: 'success',
          actor: staff,
          subjectId: submission.subjectId,
          purpose: IDENTITY_CHECK_PURPOSE,
          request,
          details: { submissionId: id, what: 'numbers', count: rows.filter((r) => r.ciphertext).length },
        },
        manager,
      );
      return rows;
    });
    // Decrypted only after the audit entry committed.
    return { entries: entries.map((e) => ({ id: e.id, number: e.ciphertext ? this.decryptEntry(e) : null })) };
  }

  /** One photo's bytes: recorded (purpose identity-check) before they leave. */
  async viewImage(id: string, imageId: string, staff: Staff, request: RequestMeta): Promise<{ bytes: Buffer; contentType: string }> {
    const submission = await this.lookable(id, staff, request);
    const image = await this.repo.transaction(async (manager) => {
      const row = await this.repo.imageWithBytes(id, imageId, manager);
      if (!row) throw new NotFoundException({ code: 'collection.image-not-found', message: 'No such photo (deleted after review, or never sent)' });
      await this.audit.record(
        {
          action: 'collection.revealed',
          outcome: 'success',
          actor: staff,
          subjectId: submission.subjectId,
          purpose: IDENTITY_CHECK_PURPOSE,
          request,
          details: { submissionId: id, what: 'image', imageId, document: row.document, side: row.side },
        },
        manager,
      );
      return row;
    });
    const bytes = this.envelope.decrypt({ ciphertext: image.ciphertext, wrappedKey: image.wrappedKey, keyVersion: image.keyVersion }, imageAad(image.id, id));
    return { bytes, contentType: image.contentType };
  }

  /**
   * Stores every submitted number (the submitter's, and each dependent's under a new dependent
   * record) with the identity check from the submission, through the numbers module; records
   * "not provided" answers; deletes the photos (unless COLLECTION_KEEP_IMAGES) and wipes the
   * submission's own copies of the numbers. A flagged submission cannot be approved.
   * Stored people are remembered per entry, so a retry after a failure does not store twice.
   */
  async approve(id: string, staff: Staff, request: RequestMeta) {
    const submission = await this.repo.submissionById(id);
    if (!submission) throw notFound();
    if (submission.status !== 'waiting') throw notWaiting(submission.status);
    const entries = await this.repo.entriesOf([id]);
    for (const entry of entries) {
      if (!entry.blindIndex || entry.storedSubjectId) continue;
      const holder = await this.numbers.holderOfIndex(entry.blindIndex);
      if (entry.duplicate || (holder && (entry.relation === 'dependent' || holder !== submission.subjectId))) {
        if (!entry.duplicate) await this.repo.updateEntry(entry.id, { duplicate: true });
        throw new ConflictException({
          code: 'collection.number-on-another-record',
          message: "A submitted number is already on another person's record; check it with the person and send the submission back",
        });
      }
    }
    const employee = await this.subjects.get(submission.subjectId);
    const checkedAt = this.clock.now().toISOString();
    const storedFor: string[] = [];
    for (const entry of entries) {
      if (entry.storedSubjectId || (!entry.ciphertext && !entry.notProvidedReason)) continue;
      let subjectId = submission.subjectId;
      if (entry.relation === 'dependent') {
        const dependent = await this.subjects.create(
          { kind: 'dependent', code: dependentCode(employee.code), name: entry.name!, nameKana: entry.nameKana ?? undefined, employeeId: employee.id },
          staff,
          request,
        );
        subjectId = dependent.id;
        await this.repo.transaction((manager) =>
          this.subjects.recordAcknowledgedPurposes(subjectId, this.notice.dependentPurposes, submission.acknowledgedAt, request, manager, {
            via: 'collection-link',
            noticeVersion: this.notice.version,
            toldThrough: 'employee',
          }),
        );
      }
      if (!entry.ciphertext) {
        // "I will not provide it": recorded as not provided (未提供) on the person, with the reason, the way the subjects module keeps it
        await this.subjects.recordNumberRequest(
          subjectId,
          {
            requestedOn: localDate(submission.submittedAt),
            means: 'other',
            answer: entry.notProvidedReason === 'declined' ? 'refused' : 'no-answer',
            note: `collection link: ${entry.notProvidedReason}`,
          },
          staff,
          request,
        );
        await this.repo.updateEntry(entry.id, { storedSubjectId: subjectId });
        continue;
      }
      const digits = this.decryptEntry(entry);
      await this.numbers.store(
        subjectId,
        { number: digits, identityCheck: { numberDocument: entry.numberDocument!, identityDocuments: entry.identityDocuments, checkedAt } },
        staff,
        request,
      );
      await this.repo.updateEntry(entry.id, { storedSubjectId: subjectId });
      storedFor.push(subjectId);
    }
    const deleted = await this.close(submission, 'approved', null, staff, request);
    return { id, status: 'approved', storedFor, imagesDeleted: deleted };
  }

  /** Sends a submission back with a reason: its numbers and photos are deleted and the link opens again. */
  async sendBack(id: string, dto: ReturnSubmissionDto, staff: Staff, request: RequestMeta) {
    if (!this.notice.returnReasons.includes(dto.reason)) {
      throw new BadRequestException({ code: 'collection.reason-unknown', message: `reason must be one of: ${this.notice.returnReasons.join(', ')}` });
    }
    const submission = await this.repo.submissionById(id);
    if (!submission) throw notFound();
    if (submission.status !== 'waiting') throw notWaiting(submission.status);
    await this.close(submission, 'returned', dto.reason, staff, request, true);
    return { id, status: 'returned', reason: dto.reason };
  }

  private async close(
    submission: CollectionSubmission,
    status: 'approved' | 'returned',
    reason: string | null,
    staff: Staff,
    request: RequestMeta,
    alwaysDeleteImages = false,
  ): Promise<number> {
    const now = this.clock.now();
    return this.repo.transaction(async (manager) => {
      const locked = await this.repo.submissionById(submission.id, manager, true);
      if (!locked || locked.status !== 'waiting') throw notWaiting(locked?.status ?? 'gone');
      let deleted = 0;
      if (alwaysDeleteImages || !this.keepImages) deleted = await this.repo.deleteImages(submission.id, manager);
      await this.repo.wipeEntryNumbers(submission.id, manager);
      await this.repo.updateSubmission(
        submission.id,
        { status, reviewedBy: staff.userId, reviewedAt: now, returnReason: reason, ...(deleted ? { imagesDeletedAt: now } : {}) },
        manager,
      );
      await this.repo.updateRequest(
        submission.requestId,
        status === 'approved' ? { status: 'approved', closedAt: now } : { status: 'open', submittedAt: null, returnReason: reason },
        manager,
      );
      await this.audit.record(
        {
          action: status === 'approved' ? 'collection.approved' : 'collection.returned',
          outcome: 'success',
          actor: staff,
          subjectId: submission.subjectId,
          request,
          details: { submissionId: submission.id, requestId: submission.requestId, ...(reason ? { reason } : {}) },
        },
        manager,
      );
      if (deleted) {
        await this.audit.record(
          {
            action: 'collection.images-deleted',
            outcome: 'success',
            actor: staff,
            subjectId: submission.subjectId,
            request,
            details: { submissionId: submission.id, count: deleted, when: status },
          },
          manager,
        );
      }
      return deleted;
    });
  }

  /** A waiting submission, and a caller fit to see numbers (recent second factor, current training). */
  private async lookable(id: string, staff: Staff, request: RequestMeta): Promise<CollectionSubmission> {
    const submission = await this.repo.submissionById(id);
    if (!submission) throw notFound();
    const now = this.clock.now().getTime();
    const refusal =
      !staff.stepUpAt || now - staff.stepUpAt.getTime() > this.stepUpMs ? 'step-up-required' : !this.policy.trainingCurrent(staff) ? 'training-required' : null;
    if (refusal) {
      await this.audit.record({
        action: 'collection.revealed',
        outcome: 'refused',
        actor: staff,
        subjectId: submission.subjectId,
        purpose: IDENTITY_CHECK_PURPOSE,
        request,
        details: { submissionId: id, reason: refusal },
      });
      throw refusalError(refusal);
    }
    return submission;
  }

  private decryptEntry(entry: CollectionEntry): string {
    return this.envelope
      .decrypt({ ciphertext: entry.ciphertext!, wrappedKey: entry.wrappedKey!, keyVersion: entry.keyVersion! }, entryAad(entry.id, entry.submissionId))
      .toString('ascii');
  }

  private entryView(e: CollectionEntry) {
    return {
      id: e.id,
      position: e.position,
      relation: e.relation,
      name: e.name,
      nameKana: e.nameKana,
      relationship: e.relationship,
      provided: !e.notProvidedReason,
      notProvidedReason: e.notProvidedReason,
      numberDocument: e.numberDocument,
      identityDocuments: e.identityDocuments,
      duplicate: e.duplicate,
      storedSubjectId: e.storedSubjectId,
    };
  }
}

/** A dependent's code: the employee's, then "-dep-" and random letters (codes may not hold digit runs). */
function dependentCode(employeeCode: string): string {
  const letters = Array.from(randomBytes(6), (b) => String.fromCharCode(97 + (b % 26))).join('');
  return `${employeeCode.slice(0, 28)}-dep-${letters}`;
}
