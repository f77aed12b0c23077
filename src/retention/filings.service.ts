import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { LegalDataService } from '@/config/legal-data.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { DueResult, filingDueDate, localDate, retentionStart, RuleFacts } from './due-dates';
import { CreateFilingDto, UpdateFilingDto } from './dto/filing.dto';
import { Filing } from './entities/filing.entity';
import { ScheduleService } from './schedule.service';

export interface FilingView {
  id: string;
  subjectId: string;
  documentType: string;
  label: string | null;
  basis: string | null;
  fiscalYear: number | null;
  submittedAt: string | null;
  closedAt: string | null;
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

/** Filings: which document used a person's number, the facts its retention rule needs. */
@Injectable()
export class FilingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subjects: SubjectsService,
    private readonly legal: LegalDataService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    private readonly schedule: ScheduleService,
  ) {}

  async record(subjectId: string, dto: CreateFilingDto, staff: Staff, request: RequestMeta): Promise<{ filing: FilingView; schedule: ScheduleView | null }> {
    await this.subjects.get(subjectId);
    const rule = this.legal.retentionRule(dto.documentType);
    if (!rule) {
      const known = this.legal.retentionRules.map((r) => r.documentType).join(', ');
      throw new BadRequestException({ code: 'filing.unknown-document-type', message: `documentType is not a configured retention rule (one of: ${known})` });
    }
    if (rule.start === 'after-january-10-following-deadline-year' && dto.fiscalYear === undefined) {
      throw new BadRequestException({
        code: 'filing.fiscal-year-required',
        message: `fiscalYear is required for ${dto.documentType}: its retention starts after 10 January of the year after the filing deadline's year`,
      });
    }
    const today = localDate(this.clock.now());
    this.checkNotFuture('closedAt', dto.closedAt, today);
    this.checkNotFuture('submittedAt', dto.submittedAt, today);
    if (dto.fiscalYear !== undefined && dto.fiscalYear > Number(today.slice(0, 4)) + 1) {
      throw new BadRequestException({ code: 'filing.fiscal-year-too-late', message: 'fiscalYear must not be later than next year' });
    }
    const now = this.clock.now();
    const filing = await this.dataSource.transaction(async (m) => {
      const row = m.create(Filing, {
        id: randomUUID(),
        subjectId,
        documentType: dto.documentType,
        fiscalYear: dto.fiscalYear ?? null,
        submittedAt: dto.submittedAt ?? null,
        closedAt: dto.closedAt ?? null,
        recordedBy: staff.userId,
        recordedAt: now,
        updatedAt: now,
      });
      await m.insert(Filing, row);
      await this.audit.record(
        {
          action: 'filing.recorded',
          outcome: 'success',
          actor: staff,
          subjectId,
          request,
          details: { filingId: row.id, documentType: row.documentType, fiscalYear: row.fiscalYear, closedAt: row.closedAt },
        },
        m,
      );
      return row;
    });
    const due = await this.schedule.recompute(subjectId, { newFiling: true });
    return { filing: this.view(filing), schedule: due && this.scheduleView(due) };
  }

  /** Closes (or reopens) a filing's matter; the due date follows. */
  async update(subjectId: string, filingId: string, dto: UpdateFilingDto, staff: Staff, request: RequestMeta): Promise<{ filing: FilingView; schedule: ScheduleView | null }> {
    if (dto.closedAt === undefined) throw new BadRequestException({ code: 'filing.nothing-to-change', message: 'Nothing to change: send closedAt' });
    this.checkNotFuture('closedAt', dto.closedAt ?? undefined, localDate(this.clock.now()));
    const filing = await this.dataSource.transaction(async (m) => {
      const row = await m.findOne(Filing, { where: { id: filingId, subjectId }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw new NotFoundException({ code: 'filing.not-found', message: 'No such filing for this person' });
      const rule = this.legal.retentionRule(row.documentType);
      if (rule && rule.start !== 'matter-closed') {
        throw new BadRequestException({ code: 'filing.no-closing-date', message: `${row.documentType} has no closing date: its retention starts after 10 January` });
      }
      row.closedAt = dto.closedAt ?? null;
      row.updatedAt = this.clock.now();
      await m.save(row);
      await this.audit.record(
        { action: 'filing.updated', outcome: 'success', actor: staff, subjectId, request, details: { filingId, closedAt: row.closedAt } },
        m,
      );
      return row;
    });
    const due = await this.schedule.recompute(subjectId);
    return { filing: this.view(filing), schedule: due && this.scheduleView(due) };
  }

  async list(subjectId: string): Promise<{ items: FilingView[]; nextCursor: null; schedule: ScheduleView | null }> {
    await this.subjects.get(subjectId);
    const rows = await this.dataSource.manager.find(Filing, { where: { subjectId }, order: { recordedAt: 'ASC', id: 'ASC' } });
    const stored = await this.schedule.stored(subjectId);
    return {
      items: rows.map((r) => this.view(r)),
      nextCursor: null,
      schedule: stored && { dueOn: stored.dueOn, rule: stored.rule, reason: stored.reason, leftOn: stored.leftOn },
    };
  }

  private view(f: Filing): FilingView {
    const rule = this.legal.retentionRule(f.documentType) as RuleFacts | undefined;
    return {
      id: f.id,
      subjectId: f.subjectId,
      documentType: f.documentType,
      label: this.legal.retentionRule(f.documentType)?.label ?? null,
      basis: this.legal.retentionRule(f.documentType)?.basis ?? null,
      fiscalYear: f.fiscalYear,
      submittedAt: f.submittedAt,
      closedAt: f.closedAt,
      retentionStart: rule ? retentionStart(rule, f) : null,
      dueOn: rule ? filingDueDate(rule, f) : null,
      recordedAt: f.recordedAt,
    };
  }

  private scheduleView(due: DueResult): ScheduleView {
    return { dueOn: due.dueOn, rule: due.rule, reason: due.reason, leftOn: due.leftOn };
  }

  private checkNotFuture(field: string, value: string | undefined, today: string): void {
    if (value && value > today) throw new BadRequestException({ code: 'filing.date-in-future', message: `${field} must not be in the future` });
  }
}
