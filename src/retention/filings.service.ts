import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { assertNotFuture } from '@/common/http/dates';
import { ClockService } from '@/config/clock.service';
import { LegalDataService } from '@/config/legal-data.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { DueResult, filingDueDate, localDate, retentionStart, RuleFacts } from './due-dates';
import { CreateFilingDto, UpdateFilingDto } from './dto/filing.dto';
import { Filing } from './entities/filing.entity';
import { RetentionRepository } from './retention.repository';
import { ScheduleService } from './schedule.service';

export interface FilingView {
  id: string;
  /** The filer (the employee who handed in the declaration, the payee of the record). */
  subjectId: string;
  documentType: string;
  label: string | null;
  basis: string | null;
  /** 'law' or 'company-choice' (config/retention-rules.json). */
  period: string | null;
  /** 年分: the tax year the document is for. */
  taxYear: number | null;
  /** Deprecated: the old name of taxYear (same number). */
  fiscalYear: number | null;
  /** How this rule's retention start follows from the 年分 (or the closing day). */
  startFromTaxYear: string | null;
  submittedAt: string | null;
  closedAt: string | null;
  /** The other people the document carries (配偶者・扶養親族 on a declaration). */
  people: string[];
  /** First day of this filing's retention period; null while it has not started (matter open). */
  retentionStart: string | null;
  /** First day this filing no longer requires the number; null while the matter is open. */
  dueOn: string | null;
  recordedAt: Date;
}

export interface ScheduleView {
  dueOn: string | null;
  rule: string | null;
  reason: string;
  leftOn: string | null;
}

/** Filings: which document used a person's number (and whose numbers it carries), the facts its retention rule needs. */
@Injectable()
export class FilingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subjects: SubjectsService,
    private readonly legal: LegalDataService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    private readonly schedule: ScheduleService,
    private readonly repository: RetentionRepository,
  ) {}

  async record(subjectId: string, dto: CreateFilingDto, staff: Staff, request: RequestMeta): Promise<{ filing: FilingView; schedule: ScheduleView | null }> {
    await this.subjects.get(subjectId);
    const rule = this.legal.retentionRule(dto.documentType);
    if (!rule) {
      const known = this.legal.retentionRules.map((r) => r.documentType).join(', ');
      throw new BadRequestException({ code: 'filing.unknown-document-type', message: `documentType is not a configured retention rule (one of: ${known})` });
    }
    if (dto.taxYear !== undefined && dto.fiscalYear !== undefined && dto.taxYear !== dto.fiscalYear) {
      throw new BadRequestException({ code: 'filing.tax-year-conflict', message: 'Send taxYear only (fiscalYear is its old name and must not differ)' });
    }
    const taxYear = dto.taxYear ?? dto.fiscalYear;
    if (rule.start !== 'matter-closed' && taxYear === undefined) {
      throw new BadRequestException({
        code: 'filing.tax-year-required',
        message: `taxYear (年分; formerly fiscalYear) is required for ${dto.documentType}: its retention starts from the filing deadline of the 年分`,
      });
    }
    const now = this.clock.now();
    const today = localDate(now);
    assertNotFuture('closedAt', dto.closedAt, now, today, 'filing.closed-in-future');
    assertNotFuture('submittedAt', dto.submittedAt, now, today, 'filing.submitted-in-future');
    if (taxYear !== undefined && taxYear > Number(today.slice(0, 4)) + 1) {
      throw new BadRequestException({ code: 'filing.tax-year-too-late', message: 'taxYear must not be later than next year' });
    }
    const people = await this.checkPeople(subjectId, dto.people ?? []);
    const filing = await this.dataSource.transaction(async (m) => {
      const row = m.create(Filing, {
        id: randomUUID(),
        subjectId,
        documentType: dto.documentType,
        taxYear: taxYear ?? null,
        submittedAt: dto.submittedAt ?? null,
        closedAt: dto.closedAt ?? null,
        recordedBy: staff.userId,
        recordedAt: now,
        updatedAt: now,
      });
      await m.insert(Filing, row);
      await this.repository.addPeople(row.id, people, m);
      await this.audit.record(
        {
          action: 'filing.recorded',
          outcome: 'success',
          actor: staff,
          subjectId,
          request,
          details: { filingId: row.id, documentType: row.documentType, taxYear: row.taxYear, closedAt: row.closedAt, people },
        },
        m,
      );
      return row;
    });
    const due = await this.schedule.recompute(subjectId, { newFiling: true });
    for (const personId of people) await this.schedule.recompute(personId, { newFiling: true });
    return { filing: this.view(filing, people), schedule: due && this.scheduleView(due) };
  }

  /** Closes (or reopens) a filing's matter, or adds people to it; the due dates follow. */
  async update(
    subjectId: string,
    filingId: string,
    dto: UpdateFilingDto,
    staff: Staff,
    request: RequestMeta,
  ): Promise<{ filing: FilingView; schedule: ScheduleView | null }> {
    if (dto.closedAt === undefined && !dto.addPeople?.length) {
      throw new BadRequestException({ code: 'filing.nothing-to-change', message: 'Nothing to change: send closedAt or addPeople' });
    }
    const now = this.clock.now();
    assertNotFuture('closedAt', dto.closedAt ?? undefined, now, localDate(now), 'filing.closed-in-future');
    const added = await this.checkPeople(subjectId, dto.addPeople ?? []);
    const filing = await this.dataSource.transaction(async (m) => {
      const row = await m.findOne(Filing, { where: { id: filingId, subjectId }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw new NotFoundException({ code: 'filing.not-found', message: 'No such filing for this person' });
      if (dto.closedAt !== undefined) {
        const rule = this.legal.retentionRule(row.documentType);
        if (rule && rule.start !== 'matter-closed') {
          throw new BadRequestException({
            code: 'filing.no-closing-date',
            message: `${row.documentType} has no closing date: its retention starts from the 年分's filing deadline`,
          });
        }
        row.closedAt = dto.closedAt ?? null;
      }
      row.updatedAt = this.clock.now();
      await m.save(row);
      await this.repository.addPeople(row.id, added, m);
      await this.audit.record(
        { action: 'filing.updated', outcome: 'success', actor: staff, subjectId, request, details: { filingId, closedAt: row.closedAt, addedPeople: added } },
        m,
      );
      return row;
    });
    const people = (await this.repository.peopleOf([filing.id])).get(filing.id) ?? [];
    const due = await this.schedule.recompute(subjectId);
    for (const personId of people) await this.schedule.recompute(personId, { newFiling: added.includes(personId) });
    return { filing: this.view(filing, people), schedule: due && this.scheduleView(due) };
  }

  /** A person's filings: their own and those that carry their number (a dependent on the employee's declaration). */
  async list(subjectId: string): Promise<{ items: FilingView[]; nextCursor: null; schedule: ScheduleView | null }> {
    await this.subjects.get(subjectId);
    const rows = await this.repository.filingsCarrying(subjectId);
    const people = await this.repository.peopleOf(rows.map((r) => r.id));
    const stored = await this.schedule.stored(subjectId);
    return {
      items: rows.map((r) => this.view(r, people.get(r.id) ?? [])),
      nextCursor: null,
      schedule: stored && { dueOn: stored.dueOn, rule: stored.rule, reason: stored.reason, leftOn: stored.leftOn },
    };
  }

  private async checkPeople(subjectId: string, people: string[]): Promise<string[]> {
    if (people.includes(subjectId)) {
      throw new BadRequestException({ code: 'filing.person-is-filer', message: 'people lists the others on the document, not its filer' });
    }
    const found = await this.subjects.findMany(people);
    if (found.length !== people.length) {
      throw new BadRequestException({ code: 'filing.person-unknown', message: 'people must be ids of registered people' });
    }
    return people;
  }

  private view(f: Filing, people: string[]): FilingView {
    const rule = this.legal.retentionRule(f.documentType);
    return {
      id: f.id,
      subjectId: f.subjectId,
      documentType: f.documentType,
      label: rule?.label ?? null,
      basis: rule?.basis ?? null,
      period: rule?.period ?? null,
      taxYear: f.taxYear,
      fiscalYear: f.taxYear,
      startFromTaxYear: rule?.startFromTaxYear ?? null,
      submittedAt: f.submittedAt,
      closedAt: f.closedAt,
      people,
      retentionStart: rule ? retentionStart(rule as RuleFacts, f) : null,
      dueOn: rule ? filingDueDate(rule as RuleFacts, f) : null,
      recordedAt: f.recordedAt,
    };
  }

  private scheduleView(due: DueResult): ScheduleView {
    return { dueOn: due.dueOn, rule: due.rule, reason: due.reason, leftOn: due.leftOn };
  }
}
