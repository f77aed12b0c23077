import { BadRequestException, ConflictException, HttpException, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Actor, ApprovalsService, FourEyesOutcome } from '@/approvals/approvals.service';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { LegalDataService } from '@/config/legal-data.service';
import { NumbersService } from '@/numbers/numbers.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { localDate } from './due-dates';
import { DisposeAllDto, DisposeDto, ListDisposalsQuery } from './dto/alarm.dto';
import { RetentionRepository } from './retention.repository';
import { DisposalAlarm } from './entities/disposal-alarm.entity';
import { DISPOSAL_METHOD, DISPOSAL_METHOD_NOTHING_ON_FILE, DisposalRecord } from './entities/disposal-record.entity';
import { RetentionSchedule } from './entities/retention-schedule.entity';
import { ScheduleService } from './schedule.service';

export const DISPOSAL_PAGE_SIZE = 100;

type Refusal = {
  refused: string;
  code: 'disposal.postponed' | 'disposal.not-open' | 'disposal.not-due';
  params?: Record<string, string>;
  subjectId: string | null;
};

/** Who approved a disposal, and how (issue #19: four eyes). */
export interface DisposalApproval {
  approver: Actor;
  approvalId: string | null;
  fourEyes: FourEyesOutcome;
}

/** A disposal asked for while four eyes are required: it waits for the responsible person. */
export interface PendingDisposal {
  status: 'pending-approval';
  approvalId: string;
  kind: 'disposal' | 'disposal-batch';
}

export interface BatchDisposalResult {
  batchId: string;
  disposed: number;
  records: DisposalRecord[];
  skipped: { alarmId: string; code: string; reason: string }[];
}

/**
 * Disposal (削除・廃棄): in ONE transaction the number's ciphertext, wrapped data key and blind
 * index are deleted (NumbersService), the disposal record is written, the alarm is closed and
 * the audit entry is added. Strict: a person who is not due today (recomputed from current
 * data, not the alarm) is refused with 409.
 */
@Injectable()
export class DisposalService implements OnModuleInit {
  constructor(
    private readonly approvals: ApprovalsService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subjects: SubjectsService,
    private readonly numbers: NumbersService,
    private readonly schedule: ScheduleService,
    private readonly legal: LegalDataService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    private readonly repository: RetentionRepository,
  ) {}

  /** What the responsible person's approval carries out: the disposal asked for, with the requester as disposer. */
  onModuleInit(): void {
    this.approvals.registerExecutor(
      'disposal',
      (req, { requester, approver, request }) =>
        this.dispose(req.targetId!, { note: req.payload.note as string | undefined }, requester, request, null, {
          approver,
          approvalId: req.id,
          fourEyes: approver.userId === requester.userId ? 'waived' : 'approved',
        }),
      // the approver decides knowing whose number and since when it is due (never the number)
      async (req) => {
        const alarm = req.targetId ? await this.dataSource.manager.findOneBy(DisposalAlarm, { id: req.targetId }) : null;
        if (!alarm) return null;
        const subject = await this.subjects.get(alarm.subjectId).catch(() => null);
        return {
          subjectCode: subject?.code ?? null,
          subjectName: subject?.name ?? null,
          subjectKind: subject?.kind ?? null,
          dueOn: alarm.dueOn,
          alarmStatus: alarm.status,
        };
      },
    );
    this.approvals.registerExecutor('disposal-batch', (req, { requester, approver, request }) =>
      this.disposeAll(
        {
          note: req.payload.note as string | undefined,
          alarmIds: req.payload.alarmIds as string[] | undefined,
          confirmedWithoutFilings: req.payload.confirmedWithoutFilings as string[] | undefined,
        },
        requester,
        request,
        {
          approver,
          approvalId: req.id,
          fourEyes: approver.userId === requester.userId ? 'waived' : 'approved',
        },
      ),
    );
  }

  /**
   * POST /retention/alarms/:id/dispose. While four eyes are required the disposal waits for the
   * responsible person (another person; GET /approvals); otherwise it happens now, and the record
   * says how it was approved (waived, or no policy set up yet).
   */
  async requestDisposal(alarmId: string, dto: DisposeDto, staff: Staff, request: RequestMeta): Promise<DisposalRecord | PendingDisposal> {
    const mode = await this.approvals.modeNow();
    if (!mode.needsApproval) return this.dispose(alarmId, dto, staff, request, null, { approver: staff, approvalId: null, fourEyes: mode.outcome });
    const alarm = await this.dataSource.manager.findOneBy(DisposalAlarm, { id: alarmId });
    if (!alarm) throw new NotFoundException({ code: 'alarm.not-found', message: 'No such alarm' });
    if (alarm.status !== 'open')
      throw new ConflictException({ code: 'alarm.not-open', message: `This alarm is ${alarm.status}; only an open alarm can be disposed of` });
    const approval = await this.approvals.request('disposal', alarmId, dto.note ? { note: dto.note } : {}, staff, request);
    return { status: 'pending-approval', approvalId: approval.id, kind: 'disposal' };
  }

  /** POST /retention/alarms/dispose-all, under the same four-eyes policy (one approval for the run). */
  async requestDisposeAll(dto: DisposeAllDto, staff: Staff, request: RequestMeta): Promise<BatchDisposalResult | PendingDisposal> {
    listedAlarms(dto);
    const mode = await this.approvals.modeNow();
    if (!mode.needsApproval) return this.disposeAll(dto, staff, request, { approver: staff, approvalId: null, fourEyes: mode.outcome });
    const payload = {
      ...(dto.note ? { note: dto.note } : {}),
      ...(dto.alarmIds ? { alarmIds: dto.alarmIds } : {}),
      ...(dto.confirmedWithoutFilings ? { confirmedWithoutFilings: dto.confirmedWithoutFilings } : {}),
    };
    const approval = await this.approvals.request('disposal-batch', null, payload, staff, request);
    return { status: 'pending-approval', approvalId: approval.id, kind: 'disposal-batch' };
  }

  async dispose(
    alarmId: string,
    dto: DisposeDto,
    staff: Actor,
    request: RequestMeta,
    batchId: string | null = null,
    approval: DisposalApproval = { approver: staff, approvalId: null, fourEyes: 'not-configured' },
  ): Promise<DisposalRecord> {
    const outcome = await this.dataSource.transaction(async (m): Promise<DisposalRecord | Refusal> => {
      const alarm = await m.findOne(DisposalAlarm, { where: { id: alarmId }, lock: { mode: 'pessimistic_write' } });
      if (!alarm) throw new NotFoundException({ code: 'alarm.not-found', message: 'No such alarm' });
      if (alarm.status === 'postponed') {
        return {
          refused: `This alarm is postponed until ${alarm.postponedUntil!.toISOString()} (${alarm.postponeReason})`,
          code: 'disposal.postponed',
          params: { until: alarm.postponedUntil!.toISOString() },
          subjectId: alarm.subjectId,
        };
      }
      if (alarm.status !== 'open')
        return { refused: `This alarm is already ${alarm.status}`, code: 'disposal.not-open', params: { status: alarm.status }, subjectId: alarm.subjectId };
      const subject = await this.subjects.get(alarm.subjectId);
      // Lock the person's schedule row: a filing or leave change recomputing it waits for us.
      await m.findOne(RetentionSchedule, { where: { subjectId: subject.id }, lock: { mode: 'pessimistic_write' } });
      const due = await this.schedule.compute(subject, m);
      const now = this.clock.now();
      const today = localDate(now);
      if (due.dueOn === null) {
        const why = {
          'not-left': 'the person has not left',
          'matter-open': `a ${due.rule} matter is still open`,
          'unknown-rule': `a filing uses an unconfigured rule (${due.rule})`,
          due: '',
        }[due.reason];
        return { refused: `Not due for disposal: ${why}`, code: 'disposal.not-due', params: { reason: due.reason }, subjectId: subject.id };
      }
      if (due.dueOn > today)
        return {
          refused: `Not due for disposal until ${due.dueOn} (${due.rule})`,
          code: 'disposal.not-due',
          params: { dueOn: due.dueOn },
          subjectId: subject.id,
        };

      const wasOnFile = await this.numbers.dispose(subject.id, m);
      const rule = due.rule && due.rule !== 'left' ? this.legal.ruleInfo(due.rule) : null;
      const record = m.create(DisposalRecord, {
        id: randomUUID(),
        alarmId,
        subjectId: subject.id,
        subjectCode: subject.code,
        subjectKind: subject.kind,
        rule: due.rule,
        basis: rule?.basis ?? null,
        dueOn: due.dueOn,
        disposedAt: now,
        disposedBy: staff.userId,
        disposedByUsername: staff.username,
        approvedBy: approval.approver.userId,
        approvedByUsername: approval.approver.username,
        method: wasOnFile ? DISPOSAL_METHOD : DISPOSAL_METHOD_NOTHING_ON_FILE,
        numberWasOnFile: wasOnFile,
        note: dto.note ?? null,
        batchId,
      });
      await m.insert(DisposalRecord, record);
      await m.update(DisposalAlarm, { id: alarmId }, { status: 'disposed', closedAt: now, disposalId: record.id, dueOn: due.dueOn, rule: due.rule });
      await m.update(RetentionSchedule, { subjectId: subject.id }, { disposedAt: now });
      await this.audit.record(
        {
          action: 'number.disposed',
          outcome: 'success',
          actor: staff,
          subjectId: subject.id,
          request,
          details: {
            alarmId,
            disposalId: record.id,
            rule: due.rule,
            dueOn: due.dueOn,
            method: record.method,
            numberWasOnFile: wasOnFile,
            batchId,
            fourEyes: approval.fourEyes,
            approvedBy: approval.approver.userId,
            ...(approval.approvalId ? { approvalId: approval.approvalId } : {}),
          },
        },
        m,
      );
      return record;
    });
    if ('refused' in outcome) {
      await this.audit.record({
        action: 'disposal.refused',
        outcome: 'refused',
        actor: staff,
        subjectId: outcome.subjectId,
        request,
        details: { alarmId, reason: outcome.refused, batchId },
      });
      throw new ConflictException({ code: outcome.code, message: outcome.refused, params: outcome.params });
    }
    return outcome;
  }

  /**
   * Year-end practice: dispose of the open alarms in `alarmIds` (what the admin was shown; required,
   * also for a run an approval carries out), one transaction per person; refusals are listed in
   * `skipped`. A person with no recorded filing is skipped (`disposal.filings-unconfirmed`) unless
   * `confirmedWithoutFilings` names their alarm: the vault cannot know that no filing still needs
   * that number (issue #22).
   */
  async disposeAll(
    dto: DisposeAllDto,
    staff: Actor,
    request: RequestMeta,
    approval: DisposalApproval = { approver: staff, approvalId: null, fourEyes: 'not-configured' },
  ): Promise<BatchDisposalResult> {
    const alarmIds = listedAlarms(dto);
    const batchId = randomUUID();
    const open = await this.repository.openAlarms(alarmIds);
    const filings = await this.repository.filingCounts(open.map((a) => a.subjectId));
    const confirmed = new Set(dto.confirmedWithoutFilings ?? []);
    const result: BatchDisposalResult = { batchId, disposed: 0, records: [], skipped: [] };
    for (const { id, subjectId } of open) {
      if (!filings.get(subjectId) && !confirmed.has(id)) {
        result.skipped.push({ alarmId: id, code: 'disposal.filings-unconfirmed', reason: 'No filing is recorded for this person; confirm them one by one' });
        continue;
      }
      try {
        result.records.push(await this.dispose(id, { note: dto.note }, staff, request, batchId, approval));
        result.disposed++;
      } catch (error) {
        if (!(error instanceof HttpException)) throw error;
        const body = error.getResponse() as { message?: string; code?: string };
        result.skipped.push({ alarmId: id, code: body.code ?? `http.${error.getStatus()}`, reason: String(body.message ?? error.message) });
      }
    }
    const found = new Set(open.map((a) => a.id));
    for (const id of new Set(alarmIds))
      if (!found.has(id)) result.skipped.push({ alarmId: id, code: 'disposal.not-open', reason: 'This alarm is not open (any more)' });
    await this.audit.record({
      action: 'disposal.batch-run',
      outcome: 'success',
      actor: staff,
      request,
      details: {
        batchId,
        disposed: result.disposed,
        skipped: result.skipped.length,
        fourEyes: approval.fourEyes,
        ...(approval.approvalId ? { approvalId: approval.approvalId } : {}),
      },
    });
    return result;
  }

  async list(query: ListDisposalsQuery): Promise<{ items: DisposalRecord[]; nextCursor: string | null }> {
    const rows = await this.repository.disposalRecordsBefore(query.cursor, DISPOSAL_PAGE_SIZE + 1);
    const items = rows.slice(0, DISPOSAL_PAGE_SIZE);
    return { items, nextCursor: rows.length > DISPOSAL_PAGE_SIZE ? items[items.length - 1]!.id : null };
  }
}

/**
 * The alarms a batch disposal may touch: exactly those the admin was shown. Without a list (older
 * scripts sent none and disposed of every open alarm) nothing is disposed of (issue #22).
 */
function listedAlarms(dto: DisposeAllDto): string[] {
  if (!dto.alarmIds?.length)
    throw new BadRequestException({
      code: 'disposal.alarm-ids-required',
      message: 'alarmIds must list the open alarms to dispose of (those shown to the admin); a batch without the list disposes of nothing',
    });
  return dto.alarmIds;
}
