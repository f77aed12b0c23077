import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, LessThan } from 'typeorm';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { LegalDataService } from '@/config/legal-data.service';
import { BlindIndexService } from '@/crypto/blind-index.service';
import { EnvelopeService } from '@/crypto/envelope.service';
import { KeyringService } from '@/crypto/keyring.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { IdentityCheckDto, NumberStatusDto, StoreNumberDto } from './dto/number.dto';
import { normaliseMyNumber } from './my-number';
import { identityDocumentsProblem } from './identity-rule';
import { NumbersRepository } from './numbers.repository';
import { numberAad, SubjectNumber } from './subject-number.entity';

const UNIQUE_VIOLATION = '23505';
/** One person holds one number; a second relationship (spouse on the staff, a director's rent) is added to that person. */
const NUMBER_HELD_ELSEWHERE =
  'This number is already on file for another person: if it is the same person in another role, add a relationship to that person (POST /subjects/:id/relationships)';

/** Storing, correcting, masking, re-keying and disposing of numbers. Reveals live in RevealService. */
@Injectable()
export class NumbersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subjects: SubjectsService,
    private readonly envelope: EnvelopeService,
    private readonly blindIndex: BlindIndexService,
    private readonly keyring: KeyringService,
    private readonly legal: LegalDataService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    private readonly repository: NumbersRepository,
  ) {}

  /** Stores or corrects a person's number. Returns whether it was new (201) and the masked status. */
  async store(subjectId: string, dto: StoreNumberDto, staff: Staff, request: RequestMeta): Promise<{ created: boolean; status: NumberStatusDto }> {
    await this.subjects.get(subjectId);
    const normalised = normaliseMyNumber(dto.number);
    if (!normalised.ok) throw new BadRequestException({ code: normalised.code, message: normalised.reason });
    this.checkIdentityDocuments(dto.identityCheck);
    const index = this.blindIndex.of(normalised.digits);
    const now = this.clock.now();
    try {
      const result = await this.dataSource.transaction(async (manager) => {
        const holder = await manager.findOne(SubjectNumber, { select: { subjectId: true }, where: { blindIndex: index } });
        if (holder && holder.subjectId !== subjectId) {
          throw new ConflictException({ code: 'number.on-file-for-another-person', message: NUMBER_HELD_ELSEWHERE });
        }
        const existing = await manager.findOne(SubjectNumber, { where: { subjectId }, lock: { mode: 'pessimistic_write' } });
        const recordId = randomUUID(); // a new record id on every write: an old ciphertext can never be replayed into it
        const sealed = this.envelope.encrypt(Buffer.from(normalised.digits, 'ascii'), numberAad(recordId, subjectId));
        const row: SubjectNumber = {
          subjectId,
          recordId,
          ciphertext: sealed.ciphertext,
          wrappedKey: sealed.wrappedKey,
          keyVersion: sealed.keyVersion,
          blindIndex: index,
          identityCheck: { ...dto.identityCheck, checkedBy: staff.userId },
          storedBy: staff.userId,
          storedAt: existing?.storedAt ?? now,
          updatedAt: now,
        };
        await manager.save(SubjectNumber, row);
        const corrected = !!existing && !existing.blindIndex.equals(index);
        await this.audit.record(
          {
            action: existing ? (corrected ? 'number.corrected' : 'number.stored') : 'number.stored',
            outcome: 'success',
            actor: staff,
            subjectId,
            request,
            details: { replaced: !!existing, identityDocuments: dto.identityCheck.identityDocuments, numberDocument: dto.identityCheck.numberDocument },
          },
          manager,
        );
        return { created: !existing, row };
      });
      return { created: result.created, status: this.statusOf(result.row) };
    } catch (error) {
      // Two clerks storing the same number for two people at once: the unique blind index decides.
      if ((error as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION) {
        throw new ConflictException({ code: 'number.on-file-for-another-person', message: NUMBER_HELD_ELSEWHERE });
      }
      throw error;
    }
  }

  async status(subjectId: string): Promise<NumberStatusDto> {
    await this.subjects.get(subjectId);
    const row = await this.dataSource.manager.findOneBy(SubjectNumber, { subjectId });
    return this.statusOf(row);
  }

  /** Masked status for many people at once (lists). */
  async statuses(subjectIds: string[]): Promise<Map<string, NumberStatusDto>> {
    const rows = subjectIds.length
      ? await this.dataSource.manager.find(SubjectNumber, {
          select: { subjectId: true, keyVersion: true, storedAt: true, identityCheck: true },
          where: { subjectId: In(subjectIds) },
        })
      : [];
    const bySubject = new Map(rows.map((r) => [r.subjectId, r]));
    return new Map(subjectIds.map((id) => [id, this.statusOf(bySubject.get(id) ?? null)]));
  }

  /**
   * Deletes the ciphertext, its wrapped data key and its blind index (one row) inside the
   * caller's transaction (the retention module's disposal record commits with it).
   */
  async dispose(subjectId: string, manager: EntityManager): Promise<boolean> {
    const result = await manager.delete(SubjectNumber, { subjectId });
    // Whatever else another module keeps about this number goes in the same transaction (collection photos kept until disposal).
    for (const hook of this.disposalHooks) await hook(subjectId, manager);
    return (result.affected ?? 0) > 0;
  }

  private readonly disposalHooks: ((subjectId: string, manager: EntityManager) => Promise<void>)[] = [];

  /** A module that keeps something tied to a number (collection photos) deletes it with the number, in the disposal's transaction. */
  onDispose(hook: (subjectId: string, manager: EntityManager) => Promise<void>): void {
    this.disposalHooks.push(hook);
  }

  /** Who holds the number with this blind index, if anyone (collection flags duplicates without decrypting). */
  async holderOfIndex(index: Buffer): Promise<string | null> {
    const row = await this.dataSource.manager.findOne(SubjectNumber, { select: { subjectId: true }, where: { blindIndex: index } });
    return row?.subjectId ?? null;
  }

  /** Whether a number is on file, inside the caller's transaction. */
  async isOnFile(subjectId: string, manager?: EntityManager): Promise<boolean> {
    return (manager ?? this.dataSource.manager).exists(SubjectNumber, { where: { subjectId } });
  }

  /**
   * Re-wraps every data key still under an older KEK, in batches of short transactions
   * (SKIP LOCKED, so reveals and stores keep going). Ciphertexts are untouched.
   */
  async rewrapDataKeys(batchSize = 500, onBatch?: (done: number) => void): Promise<number> {
    let done = 0;
    for (;;) {
      const current = this.keyring.currentKek().version;
      const count = await this.dataSource.transaction(async (manager) => {
        const rows = await manager.find(SubjectNumber, {
          select: { subjectId: true, wrappedKey: true, keyVersion: true },
          where: { keyVersion: LessThan(current) },
          take: batchSize,
          lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
        });
        for (const row of rows) {
          const rewrapped = this.envelope.rewrap(row.wrappedKey, row.keyVersion);
          await manager.update(SubjectNumber, { subjectId: row.subjectId }, rewrapped);
        }
        return rows.length;
      });
      done += count;
      onBatch?.(done);
      if (count === 0) return done;
    }
  }

  /** How many data keys are under each KEK version (for rotation reports). */
  async keyVersionCounts(): Promise<Record<string, number>> {
    const rows = await this.repository.keyVersionCounts();
    return Object.fromEntries(rows.map((r) => [String(r.key_version), Number(r.n)]));
  }

  private statusOf(row: Pick<SubjectNumber, 'storedAt' | 'keyVersion' | 'identityCheck'> | null): NumberStatusDto {
    if (!row) return { onFile: false, identityChecked: false, storedAt: null, keyVersion: null, identityCheck: null };
    return {
      onFile: true,
      identityChecked: !!row.identityCheck?.numberDocument,
      storedAt: row.storedAt,
      keyVersion: row.keyVersion,
      identityCheck: row.identityCheck,
    };
  }

  /**
   * 番号確認 and 身元確認 (domain.md): the card covers both; else one photo ID or two non-photo documents.
   * Public so a collection submission is checked by the same rule before it is accepted.
   */
  checkIdentityDocuments(check: IdentityCheckDto): void {
    const problem = identityDocumentsProblem(this.legal.identityDocuments, this.legal.identityRule, check.numberDocument, check.identityDocuments);
    if (problem === 'identity.number-document-invalid') {
      throw new BadRequestException({
        code: problem,
        message: 'identityCheck.numberDocument must be a document that proves the number (for example my-number-card)',
      });
    }
    if (problem === 'identity.document-unknown') {
      const i = check.identityDocuments.findIndex((code) => !this.legal.identityDocument(code));
      throw new BadRequestException({ code: problem, message: `identityCheck.identityDocuments[${i}] is not a known identity document` });
    }
    if (problem === 'identity.documents-insufficient') {
      const { photo, nonPhoto } = this.legal.identityRule;
      throw new BadRequestException({
        code: problem,
        message: `identityCheck.identityDocuments must hold ${photo} photo ID(s) or ${nonPhoto} other identity documents (or the My Number card)`,
        params: { photo, nonPhoto },
      });
    }
    if (Number.isNaN(Date.parse(check.checkedAt)) || Date.parse(check.checkedAt) > this.clock.now().getTime() + 5 * 60_000) {
      throw new BadRequestException({ code: 'identity-check.in-future', message: 'identityCheck.checkedAt must not be in the future' });
    }
  }
}
