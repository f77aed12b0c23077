import { MetricsService } from '@/metrics/metrics.service';
import { BadRequestException, ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { LegalDataService } from '@/config/legal-data.service';
import { NumbersService } from '@/numbers/numbers.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { RetentionRepository } from './retention.repository';
import { AlarmNotifierService } from './alarm-notifier.service';
import { RaiseDueResult, raiseDueAlarms, SqlRunner, sweepWithLock } from './alarm-sweep.sql';
import { localDate, startOfLocalDay } from './due-dates';
import { ListAlarmsQuery, PostponeDto } from './dto/alarm.dto';
import { AlarmStatus, DisposalAlarm } from './entities/disposal-alarm.entity';

export const ALARM_PAGE_SIZE = 100;

export interface AlarmView {
  id: string;
  status: AlarmStatus;
  dueOn: string;
  rule: string | null;
  ruleLabel: string | null;
  basis: string | null;
  raisedAt: Date;
  raisedBy: string;
  postponedUntil: Date | null;
  postponeReason: string | null;
  reopenedAt: Date | null;
  closedAt: Date | null;
  disposalId: string | null;
  subject: { id: string; code: string; kind: string; name: string; leftAt: string | null } | null;
  numberOnFile: boolean;
  /** Recorded filings that carry the number; 0 means the vault knows of none, and batch disposal asks to confirm this person. */
  filingsRecorded: number;
}

/** Raising, listing and postponing disposal alarms. Disposal itself is DisposalService. */
@Injectable()
export class AlarmsService {
  private readonly logger = new Logger(AlarmsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: ClockService,
    private readonly legal: LegalDataService,
    private readonly subjects: SubjectsService,
    private readonly numbers: NumbersService,
    private readonly audit: AuditService,
    private readonly notifier: AlarmNotifierService,
    private readonly repository: RetentionRepository,
    metrics: MetricsService,
  ) {
    notifier.useOpenCounter(() => this.countOpen());
    metrics.gauge('mnv_open_alarms', 'Open disposal alarms', () => this.countOpen());
  }

  /**
   * Raises every alarm that is due (or only this person's) and reopens postponements whose date
   * has come. Idempotent; no lock: the unique index decides between concurrent callers.
   */
  async raiseDue(trigger: string, subjectId?: string, manager?: EntityManager): Promise<RaiseDueResult> {
    const now = this.clock.now();
    const result = await raiseDueAlarms((manager ?? this.dataSource) as SqlRunner, { now, today: localDate(now), trigger, subjectId });
    this.notifier.alarmsOpened(result.raised + result.reopened);
    return result;
  }

  /**
   * The sweep over everyone, under the advisory lock so one instance sweeps at a time. With
   * `wait: false` (timers, the queue) it is skipped, returning null, while another instance sweeps.
   */
  async sweep(trigger: string, options: { wait: boolean } = { wait: true }): Promise<RaiseDueResult | null> {
    const now = this.clock.now();
    const started = Date.now();
    const result = await sweepWithLock(
      (work) => this.dataSource.transaction((m) => work(m as SqlRunner)),
      { now, today: localDate(now), trigger },
      options.wait,
    );
    if (result) {
      if (result.raised || result.reopened) {
        this.logger.log(`Retention sweep (${trigger}): ${result.raised} alarm(s) raised, ${result.reopened} reopened in ${Date.now() - started} ms`);
      }
      this.notifier.alarmsOpened(result.raised + result.reopened);
    }
    return result;
  }

  async countOpen(): Promise<number> {
    return this.repository.countOpenAlarms();
  }

  async list(query: ListAlarmsQuery): Promise<{ items: AlarmView[]; nextCursor: string | null }> {
    const qb = this.dataSource.manager
      .createQueryBuilder(DisposalAlarm, 'a')
      .where('a.status = :status', { status: query.status ?? 'open' })
      .orderBy('a.due_on', 'ASC')
      .addOrderBy('a.id', 'ASC')
      .limit(ALARM_PAGE_SIZE + 1);
    if (query.cursor) {
      const [dueOn, id] = query.cursor.split('_');
      qb.andWhere('(a.due_on, a.id) > (:dueOn::date, :id::uuid)', { dueOn, id });
    }
    const rows = await qb.getMany();
    const page = rows.slice(0, ALARM_PAGE_SIZE);
    const last = page[page.length - 1]!;
    return { items: await this.views(page), nextCursor: rows.length > ALARM_PAGE_SIZE ? `${last.dueOn}_${last.id}` : null };
  }

  async get(id: string): Promise<AlarmView> {
    const alarm = await this.dataSource.manager.findOneBy(DisposalAlarm, { id });
    if (!alarm) throw new NotFoundException({ code: 'alarm.not-found', message: 'No such alarm' });
    return (await this.views([alarm]))[0]!;
  }

  /** Hides an open alarm until a date (a pending filing, a legal hold); the sweep reopens it then. */
  async postpone(id: string, dto: PostponeDto, staff: Staff, request: RequestMeta): Promise<AlarmView> {
    const until = /^\d{4}-\d{2}-\d{2}$/.test(dto.until) ? startOfLocalDay(dto.until) : new Date(dto.until);
    if (Number.isNaN(until.getTime())) throw new BadRequestException({ code: 'postpone.until-invalid', message: 'until must be an ISO 8601 date or time' });
    if (until.getTime() <= this.clock.now().getTime()) throw new BadRequestException({ code: 'postpone.until-past', message: 'until must be in the future' });
    await this.dataSource.transaction(async (m) => {
      const alarm = await m.findOne(DisposalAlarm, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!alarm) throw new NotFoundException({ code: 'alarm.not-found', message: 'No such alarm' });
      if (alarm.status !== 'open' && alarm.status !== 'postponed') {
        throw new ConflictException({
          code: 'alarm.not-postponable',
          message: `This alarm is ${alarm.status}; only an open or postponed alarm can be postponed`,
        });
      }
      await m.update(DisposalAlarm, { id }, { status: 'postponed', postponedUntil: until, postponeReason: dto.reason, postponedBy: staff.userId });
      await this.audit.record(
        {
          action: 'disposal.postponed',
          outcome: 'success',
          actor: staff,
          subjectId: alarm.subjectId,
          request,
          details: { alarmId: id, until: until.toISOString(), reason: dto.reason, dueOn: alarm.dueOn },
        },
        m,
      );
    });
    return this.get(id);
  }

  /** The person is not due any more (returned, new filing, matter reopened): close their active alarm. */
  async withdrawActive(subjectId: string, manager: EntityManager): Promise<number> {
    const result = await manager
      .createQueryBuilder()
      .update(DisposalAlarm)
      .set({ status: 'withdrawn', postponedUntil: null, closedAt: this.clock.now() })
      .where(`subject_id = :subjectId AND status IN ('open', 'postponed')`, { subjectId })
      .execute();
    return result.affected ?? 0;
  }

  /** The due date moved but is still past: the active alarm shows the new one. */
  async retarget(subjectId: string, dueOn: string, rule: string | null, manager: EntityManager): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(DisposalAlarm)
      .set({ dueOn, rule })
      .where(`subject_id = :subjectId AND status IN ('open', 'postponed')`, { subjectId })
      .execute();
  }

  private async views(alarms: DisposalAlarm[]): Promise<AlarmView[]> {
    const ids = [...new Set(alarms.map((a) => a.subjectId))];
    const [people, statuses, filings] = await Promise.all([this.subjects.findMany(ids), this.numbers.statuses(ids), this.repository.filingCounts(ids)]);
    const byId = new Map(people.map((p) => [p.id, p]));
    return alarms.map((a) => {
      const s = byId.get(a.subjectId);
      const rule = a.rule && a.rule !== 'left' ? this.legal.ruleInfo(a.rule) : null;
      return {
        id: a.id,
        status: a.status,
        dueOn: a.dueOn,
        rule: a.rule,
        ruleLabel: rule?.label ?? (a.rule === 'left' ? 'left (no filing kept it longer)' : null),
        basis: rule?.basis ?? null,
        raisedAt: a.raisedAt,
        raisedBy: a.raisedBy,
        postponedUntil: a.postponedUntil,
        postponeReason: a.postponeReason,
        reopenedAt: a.reopenedAt,
        closedAt: a.closedAt,
        disposalId: a.disposalId,
        subject: s ? { id: s.id, code: s.code, kind: s.kind, name: s.name, leftAt: s.leftAt } : null,
        numberOnFile: statuses.get(a.subjectId)?.onFile ?? false,
        filingsRecorded: filings.get(a.subjectId) ?? 0,
      };
    });
  }
}
