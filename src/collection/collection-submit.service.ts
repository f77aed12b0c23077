import { BadRequestException, GoneException, HttpException, Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { AuditEvent, AuditService } from '@/audit/audit.service';
import { RequestMeta } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { LegalDataService } from '@/config/legal-data.service';
import { BlindIndexService } from '@/crypto/blind-index.service';
import { EnvelopeService } from '@/crypto/envelope.service';
import { normaliseMyNumber } from '@/numbers/my-number';
import { NumbersService } from '@/numbers/numbers.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { CollectionNotice } from './collection-notice';
import { CollectionRepository } from './collection.repository';
import { SubmissionForm } from './dto/submission-form';
import { CollectionEntry, entryAad } from './entities/collection-entry.entity';
import { CollectionImage, imageAad } from './entities/collection-image.entity';
import { CollectionRequest } from './entities/collection-request.entity';
import { cleanImage, ImageLimits } from './image-processor';

export const COLLECTION_NOTICE = 'COLLECTION_NOTICE';

/** A photo as it arrived: its form field says whose document (0 = the submitter, i+1 = dependent i) and which side. */
export interface RawPhoto {
  entry: number;
  document: string;
  side: 'front' | 'back';
  bytes: Buffer;
}

interface PreparedEntry {
  relation: 'self' | 'dependent';
  name: string | null;
  nameKana: string | null;
  relationship: string | null;
  digits: string | null;
  notProvidedReason: string | null;
  numberDocument: string | null;
  identityDocuments: string[];
}

const bad = (code: string, message: string) => new BadRequestException({ code, message });

/**
 * Takes one submission through a link: checks every field, cleans and encrypts the photos, and
 * writes the whole submission in one transaction that also uses the link up. Nothing is written
 * before everything checked out, so a refused or abandoned submission leaves nothing behind.
 */
@Injectable()
export class CollectionSubmitService {
  private readonly limits: ImageLimits;

  constructor(
    config: ConfigService<Env, true>,
    private readonly repo: CollectionRepository,
    private readonly subjects: SubjectsService,
    private readonly numbers: NumbersService,
    private readonly legal: LegalDataService,
    private readonly envelope: EnvelopeService,
    private readonly blindIndex: BlindIndexService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    @Inject(COLLECTION_NOTICE) private readonly notice: CollectionNotice,
  ) {
    this.limits = {
      maxBytes: config.get('COLLECTION_IMAGE_MAX_BYTES', { infer: true }),
      maxPixels: config.get('COLLECTION_IMAGE_MAX_PIXELS', { infer: true }),
    };
  }

  get imageLimits(): ImageLimits {
    return this.limits;
  }

  async submit(link: CollectionRequest, form: SubmissionForm, photos: RawPhoto[], request: RequestMeta): Promise<{ submissionId: string; flagged: boolean }> {
    if (form.noticeVersion !== this.notice.version) {
      throw new GoneException({ code: 'collection.notice-changed', message: 'The notice changed while the page was open; reload the page and read it again' });
    }
    const now = this.clock.now();
    const entries = this.prepareEntries(form);
    this.checkPhotos(entries, photos);

    // The heavy part (decoding, re-encoding) happens before any transaction opens.
    const cleaned: { entry: number; document: string; side: string; bytes: Buffer; contentType: string }[] = [];
    for (const photo of photos) {
      const clean = await cleanImage(photo.bytes, this.limits);
      cleaned.push({ entry: photo.entry, document: photo.document, side: photo.side, bytes: clean.bytes, contentType: clean.contentType });
    }

    const submissionId = randomUUID();
    const rows: CollectionEntry[] = [];
    for (const [position, entry] of entries.entries()) {
      const id = randomUUID();
      const row: CollectionEntry = {
        id,
        submissionId,
        position,
        relation: entry.relation,
        name: entry.name,
        nameKana: entry.nameKana,
        relationship: entry.relationship,
        numberDocument: entry.numberDocument,
        identityDocuments: entry.identityDocuments,
        ciphertext: null,
        wrappedKey: null,
        keyVersion: null,
        blindIndex: null,
        notProvidedReason: entry.notProvidedReason,
        duplicate: false,
        storedSubjectId: null,
      };
      if (entry.digits) {
        const sealed = this.envelope.encrypt(Buffer.from(entry.digits, 'ascii'), entryAad(id, submissionId));
        row.ciphertext = sealed.ciphertext;
        row.wrappedKey = sealed.wrappedKey;
        row.keyVersion = sealed.keyVersion;
        row.blindIndex = this.blindIndex.of(entry.digits);
        const holder = await this.numbers.holderOfIndex(row.blindIndex);
        // On someone else's record (for a dependent: on anyone's), or in another waiting submission: flag it, never merge.
        row.duplicate =
          (holder !== null && (entry.relation === 'dependent' || holder !== link.subjectId)) ||
          (await this.repo.otherWaitingWithIndex(row.blindIndex, submissionId));
      }
      rows.push(row);
    }
    const images: CollectionImage[] = cleaned.map((c) => {
      const id = randomUUID();
      const sealed = this.envelope.encrypt(c.bytes, imageAad(id, submissionId));
      c.bytes.fill(0);
      return {
        id,
        submissionId,
        entryPosition: c.entry,
        document: c.document,
        side: c.side,
        contentType: c.contentType,
        bytes: c.bytes.length,
        ciphertext: sealed.ciphertext,
        wrappedKey: sealed.wrappedKey,
        keyVersion: sealed.keyVersion,
        createdAt: now,
      };
    });

    // The acknowledgement time as the page saw it, kept between the link's first opening and now.
    const said = Date.parse(form.acknowledgedAt);
    const floor = (link.startedAt ?? link.issuedAt).getTime();
    const acknowledgedAt = new Date(Math.min(now.getTime(), Math.max(floor, Number.isNaN(said) ? now.getTime() : said)));
    const flagged = rows.some((r) => r.duplicate);
    const self = entries[0];

    await this.repo.transaction(async (manager) => {
      if (!(await this.repo.claimForSubmission(link.id, now, manager))) {
        throw new GoneException({ code: 'collection.link-used', message: 'This link was already used; ask the payroll office if something is wrong' });
      }
      await this.repo.insertSubmission(
        {
          id: submissionId,
          requestId: link.id,
          subjectId: link.subjectId,
          status: 'waiting',
          acknowledgedAt,
          purposes: this.notice.purposes,
          numberDocument: self!.numberDocument,
          identityDocuments: self!.identityDocuments,
          submittedAt: now,
          clientAddress: request.clientAddress,
          reviewedBy: null,
          reviewedAt: null,
          returnReason: null,
          imagesDeletedAt: null,
        },
        manager,
      );
      await this.repo.insertEntries(rows, manager);
      await this.repo.insertImages(images, manager);
      // The acknowledgement is the notice of the purposes (利用目的の通知), with its time.
      await this.subjects.recordAcknowledgedPurposes(link.subjectId, this.notice.purposes, acknowledgedAt, request, manager, {
        via: 'collection-link',
        noticeVersion: this.notice.version,
      });
      const events: AuditEvent[] = [
        {
          action: 'collection.submitted',
          outcome: 'success',
          subjectId: link.subjectId,
          request,
          details: {
            requestId: link.id,
            submissionId,
            numberProvided: !!self!.digits,
            dependents: entries.length - 1,
            photos: images.length,
            flagged,
          },
        },
        ...entries
          .filter((e) => e.notProvidedReason)
          .map((e): AuditEvent => ({
            action: 'collection.not-provided',
            outcome: 'success',
            subjectId: link.subjectId,
            request,
            details: { submissionId, relation: e.relation, reason: e.notProvidedReason },
          })),
      ];
      await this.audit.recordMany(events, manager);
    });
    return { submissionId, flagged };
  }

  /** The submitter first, then the dependents; every number checked, each one only once. */
  private prepareEntries(form: SubmissionForm): PreparedEntry[] {
    const seen = new Set<string>();
    const prepare = (
      field: string,
      relation: 'self' | 'dependent',
      given: { number?: string; notProvidedReason?: string; numberDocument?: string; identityDocuments?: string[] },
      person: { name: string | null; nameKana: string | null; relationship: string | null },
    ): PreparedEntry => {
      const hasNumber = given.number !== undefined && given.number.trim() !== '';
      if (hasNumber === !!given.notProvidedReason) {
        throw bad('collection.number-or-reason', `${field}: give either the number or a reason for not providing it`);
      }
      if (given.notProvidedReason) {
        if (!this.notice.notProvidedReasons.includes(given.notProvidedReason)) {
          throw bad('collection.reason-unknown', `${field}.notProvidedReason must be one of: ${this.notice.notProvidedReasons.join(', ')}`);
        }
        return { relation, ...person, digits: null, notProvidedReason: given.notProvidedReason, numberDocument: null, identityDocuments: [] };
      }
      const normalised = normaliseMyNumber(given.number!);
      if (!normalised.ok) throw bad('collection.number-invalid', `${field}.number: ${normalised.reason}`);
      if (seen.has(normalised.digits)) throw bad('collection.number-repeated', `${field}.number is the same as another number in this submission`);
      seen.add(normalised.digits);
      if (!given.numberDocument) throw bad('collection.identity-documents', `${field}.numberDocument: say which document shows the number`);
      const check = { numberDocument: given.numberDocument, identityDocuments: given.identityDocuments ?? [], checkedAt: this.clock.now().toISOString() };
      try {
        this.numbers.checkIdentityDocuments(check);
      } catch (error) {
        const message =
          error instanceof HttpException
            ? String((error.getResponse() as { message?: unknown }).message ?? error.message)
            : 'identity documents are not enough';
        throw bad('collection.identity-documents', `${field}: ${message.replace(/^identityCheck\./, '')}`);
      }
      return {
        relation,
        ...person,
        digits: normalised.digits,
        notProvidedReason: null,
        numberDocument: check.numberDocument,
        identityDocuments: check.identityDocuments,
      };
    };
    const entries = [prepare('self', 'self', form, { name: null, nameKana: null, relationship: null })];
    form.dependents.forEach((d, i) => {
      if (!this.notice.relationships.includes(d.relationship)) {
        throw bad('collection.relationship-unknown', `dependents[${i}].relationship must be one of: ${this.notice.relationships.join(', ')}`);
      }
      entries.push(prepare(`dependents[${i}]`, 'dependent', d, { name: d.name, nameKana: d.nameKana || null, relationship: d.relationship }));
    });
    return entries;
  }

  /**
   * The photos the identity rules ask for, and no others: each document a person named needs its
   * front; the My Number card its back too (the number is on the back). The submitter's always; a
   * dependent's only when the notice asks for them (`dependentPhotos`: by default the employee checks
   * the dependents' identity, 所得税法194条・番号法16条), and then for each dependent handing in a number.
   */
  private checkPhotos(entries: PreparedEntry[], photos: RawPhoto[]): void {
    const label = (entry: number, key: string) => (entry === 0 ? key : `dependents[${entry - 1}]/${key}`);
    const wanted = new Set<string>();
    entries.forEach((person, entry) => {
      if (entry > 0 && !this.notice.dependentPhotos) return;
      for (const code of new Set([person.numberDocument, ...person.identityDocuments].filter((c): c is string => !!c))) {
        wanted.add(label(entry, `${code}:front`));
        if (code === 'my-number-card') wanted.add(label(entry, `${code}:back`));
      }
    });
    const given = new Set<string>();
    for (const photo of photos) {
      const key = label(photo.entry, `${photo.document}:${photo.side}`);
      if (!this.legal.identityDocument(photo.document) || !wanted.has(key)) {
        throw bad('collection.photo-unexpected', `A photo of ${key} was not asked for by the documents named`);
      }
      if (given.has(key)) throw bad('collection.photo-repeated', `Two photos of ${key}: send one`);
      given.add(key);
    }
    const missing = [...wanted].filter((k) => !given.has(k));
    if (missing.length) throw bad('collection.photo-missing', `Photos missing: ${missing.join(', ')}`);
  }
}
