import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { ApprovalsService } from '@/approvals/approvals.service';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { assertNotFuture } from '@/common/http/dates';
import { ClockService } from '@/config/clock.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { localDate } from './due-dates';
import { DecideEarlyDisposalDto, ListEarlyDisposalsQuery, RequestEarlyDisposalDto } from './dto/post-leaving.dto';
import { EarlyDisposal } from './entities/early-disposal.entity';
import { ScheduleService } from './schedule.service';

/**
 * Early disposal: before the post-leaving floor (config/retention-floors.json) a number may go
 * only when a clerk records that the filings that follow the departure are done AND an admin
 * approves. Recorded filings still apply. The approval is one method (`approve`) so that a
 * responsible-person (事務取扱責任者) rule can be added in one place.
 */
@Injectable()
export class EarlyDisposalService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subjects: SubjectsService,
    private readonly schedule: ScheduleService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    private readonly approvals: ApprovalsService,
  ) {}

  /** Clerk: the filings that follow this person's departure are done. */
  async request(subjectId: string, dto: RequestEarlyDisposalDto, staff: Staff, request: RequestMeta): Promise<EarlyDisposal> {
    const subject = await this.subjects.get(subjectId);
    const kind = dto.relationshipKind ?? subject.kind;
    const now = this.clock.now();
    assertNotFuture('filingsDoneOn', dto.filingsDoneOn, now, localDate(now), 'early-disposal.done-in-future');
    const ends = await this.schedule.relationshipEnds(subject);
    const ended = ends.filter((e) => e.kind === kind && e.leftOn !== null).sort((a, b) => (a.leftOn! < b.leftOn! ? 1 : -1))[0];
    if (!ended) {
      throw new ConflictException({
        code: 'early-disposal.not-left',
        message: `This person holds no ${kind} relationship that has ended: record the leave date first`,
      });
    }
    if (dto.filingsDoneOn < ended.leftOn!) {
      throw new BadRequestException({ code: 'early-disposal.done-before-leaving', message: 'filingsDoneOn must not be before the day the relationship ended' });
    }
    return this.dataSource.transaction(async (m) => {
      const pending = await m.findOne(EarlyDisposal, { where: { subjectId, relationshipKind: kind, status: 'pending' } });
      if (pending)
        throw new ConflictException({ code: 'early-disposal.pending', message: 'An early disposal for this person is already waiting for an admin' });
      const row = m.create(EarlyDisposal, {
        subjectId,
        relationshipKind: kind,
        leftOn: ended.leftOn!,
        filingsDoneOn: dto.filingsDoneOn,
        note: dto.note ?? null,
        status: 'pending',
        recordedBy: staff.userId,
        recordedAt: now,
      });
      await m.save(row);
      await this.audit.record(
        {
          action: 'disposal.early-requested',
          outcome: 'success',
          actor: staff,
          subjectId,
          request,
          details: { earlyDisposalId: row.id, relationshipKind: kind, leftOn: row.leftOn, filingsDoneOn: row.filingsDoneOn },
        },
        m,
      );
      return row;
    });
  }

  /** The list, each with the person's code and name (the approver decides knowing whose number; never the number). */
  async list(query: ListEarlyDisposalsQuery): Promise<{ items: (EarlyDisposal & { subject: { code: string; name: string; kind: string } | null })[] }> {
    const rows = await this.dataSource.manager.find(EarlyDisposal, {
      where: { status: query.status ?? 'pending' },
      order: { recordedAt: 'ASC', id: 'ASC' },
      take: 500,
    });
    const people = new Map((await this.subjects.findMany([...new Set(rows.map((r) => r.subjectId))])).map((s) => [s.id, s]));
    return {
      items: rows.map((r) => {
        const s = people.get(r.subjectId);
        return Object.assign(r, { subject: s ? { code: s.code, name: s.name, kind: s.kind } : null });
      }),
    };
  }

  /** Admin approves: the floor no longer applies to that departure; the due date is recomputed. */
  async approve(id: string, dto: DecideEarlyDisposalDto, staff: Staff, request: RequestMeta): Promise<EarlyDisposal> {
    // Issue #19: while four eyes are required, the decision is the responsible person's (事務取扱責任者).
    if ((await this.approvals.modeNow()).needsApproval && !staff.roles.includes('responsible')) {
      throw new ForbiddenException({
        code: 'early-disposal.needs-responsible',
        message: 'Four eyes are required: the responsible person (事務取扱責任者) approves early disposals',
      });
    }
    const row = await this.decide(id, 'approved', dto, staff, request);
    await this.schedule.recompute(row.subjectId);
    return row;
  }

  async reject(id: string, dto: DecideEarlyDisposalDto, staff: Staff, request: RequestMeta): Promise<EarlyDisposal> {
    if (!dto.reason) throw new BadRequestException({ code: 'early-disposal.reason-required', message: 'Say why the early disposal is rejected (reason)' });
    return this.decide(id, 'rejected', dto, staff, request);
  }

  /** Who may decide: another person than the clerk who asked (separation of duties). Extend here. */
  protected checkDecider(row: EarlyDisposal, staff: Staff): void {
    if (row.recordedBy === staff.userId) {
      throw new ForbiddenException({
        code: 'early-disposal.own-request',
        message: 'The person who recorded the filings as done cannot decide on the early disposal',
      });
    }
  }

  private async decide(id: string, status: 'approved' | 'rejected', dto: DecideEarlyDisposalDto, staff: Staff, request: RequestMeta): Promise<EarlyDisposal> {
    return this.dataSource.transaction(async (m: EntityManager) => {
      const row = await m.findOne(EarlyDisposal, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw new NotFoundException({ code: 'early-disposal.not-found', message: 'No such early disposal' });
      if (row.status !== 'pending') throw new ConflictException({ code: 'early-disposal.decided', message: `This early disposal is already ${row.status}` });
      this.checkDecider(row, staff);
      row.status = status;
      row.decidedBy = staff.userId;
      row.decidedAt = this.clock.now();
      row.decisionReason = dto.reason ?? null;
      await m.save(row);
      await this.audit.record(
        {
          action: status === 'approved' ? 'disposal.early-approved' : 'disposal.early-rejected',
          outcome: 'success',
          actor: staff,
          subjectId: row.subjectId,
          request,
          details: { earlyDisposalId: row.id, relationshipKind: row.relationshipKind, leftOn: row.leftOn },
        },
        m,
      );
      return row;
    });
  }
}
