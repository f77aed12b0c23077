import { BadRequestException, ConflictException, Injectable, Logger, NotFoundException, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { LegalDataService } from '@/config/legal-data.service';
import { AlarmNotifierService } from '@/retention/alarm-notifier.service';
import { BreachDeadlines, breachDeadlines, breachDuty, BreachDuty } from './breach-deadlines';
import { BreachDueJob, BreachQueueService } from './breach-queue.service';
import { BreachAlarmKind, BreachesRepository, BreachIncidentRow, BreachReportItems, BreachReportRow } from './breaches.repository';
import { AddAffectedDto, OpenBreachDto, RecordBreachReportDto, UpdateBreachDto } from './dto/breach.dto';

type DeadlineState = 'reported' | 'overdue' | 'alarm' | 'pending' | 'not-required';

export interface BreachView {
  id: string;
  title: string;
  category: string;
  summary: string;
  occurredFrom: string | null;
  occurredUntil: string | null;
  discoveredAt: string;
  discoveredBy: string | null;
  unlawfulPurpose: boolean;
  publiclyViewable: boolean;
  systemLeak: boolean;
  status: 'open' | 'closed';
  openedBy: string;
  openedAt: string;
  affectedCount: number;
  affectedBySource: Record<string, number>;
  duty: BreachDuty & { basis: string; note?: string };
  deadlines: BreachDeadlines & { preliminaryState: DeadlineState; finalState: DeadlineState };
  report: BreachReportItems;
  reports: { id: string; kind: string; sentAt: string; means: string; reference: string | null; note: string | null; recordedBy: string; recordedAt: string }[];
  alarms: { kind: string; dueAt: string; raisedAt: string; raisedBy: string; status: string }[];
}

const REPORT_ITEM_KEYS = ['items', 'cause', 'secondary-damage', 'response-to-people', 'publication', 'prevention', 'other'] as const;

/**
 * 漏えい等報告 (番号法29条の4; issue #19). An admin opens an incident; the people affected are
 * found in the trail (every number shown in a time range, optionally by one account), named, or
 * everyone on file; the register says whether the PPC report duty applies and tracks the 速報 and
 * 確報 deadlines (config/compliance.json) with alarms (Bull delayed jobs, a sweep as fallback) sent
 * through the alarm notifier; each report sent is recorded. Report items print in the PPC form's order.
 */
@Injectable()
export class BreachesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BreachesService.name);
  private readonly finalAlarmDaysBefore: number;
  private readonly sweepEveryMs: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly repo: BreachesRepository,
    private readonly queue: BreachQueueService,
    private readonly notifier: AlarmNotifierService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    private readonly legal: LegalDataService,
    config: ConfigService<Env, true>,
  ) {
    this.finalAlarmDaysBefore = config.get('BREACH_FINAL_ALARM_DAYS_BEFORE', { infer: true }) ?? this.rules.finalAlarmDaysBefore.days;
    this.sweepEveryMs = Math.min(config.get('SWEEP_INTERVAL_MS', { infer: true }), 2 ** 31 - 1);
  }

  private get rules() {
    return this.legal.compliance.breachReport;
  }

  onApplicationBootstrap(): void {
    this.queue.onDue((job: BreachDueJob) => this.raiseDue(job.incidentId, 'queue'));
    // The fallback: every sweep interval, check every open incident (alarms are idempotent).
    this.timer = setInterval(() => void this.sweep('sweep').catch((e: Error) => this.logger.error(`Breach sweep failed: ${e.message}`)), this.sweepEveryMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async open(dto: OpenBreachDto, staff: Staff, request: RequestMeta): Promise<BreachView> {
    const now = this.clock.now();
    const discoveredAt = new Date(dto.discoveredAt);
    if (discoveredAt.getTime() > now.getTime())
      throw new BadRequestException({ code: 'breach.discovered-in-future', message: 'discoveredAt is in the future' });
    const occurredFrom = dto.occurredFrom ? new Date(dto.occurredFrom) : null;
    const occurredUntil = dto.occurredUntil ? new Date(dto.occurredUntil) : null;
    this.checkOccurred(occurredFrom, occurredUntil);
    const id = await this.repo.transaction(async (m) => {
      const id = await this.repo.insert(
        {
          title: dto.title,
          category: dto.category,
          summary: dto.summary,
          occurred_from: occurredFrom,
          occurred_until: occurredUntil,
          discovered_at: discoveredAt,
          discovered_by: dto.discoveredBy ?? null,
          unlawful_purpose: dto.unlawfulPurpose ?? false,
          publicly_viewable: dto.publiclyViewable ?? false,
          system_leak: dto.systemLeak ?? false,
          report: reportItems(dto.report),
          created_by: staff.userId,
          created_by_username: staff.username,
          created_at: now,
        },
        m,
      );
      await this.audit.record(
        {
          action: 'breach.opened',
          outcome: 'success',
          actor: staff,
          request,
          details: {
            incidentId: id,
            category: dto.category,
            unlawfulPurpose: !!dto.unlawfulPurpose,
            publiclyViewable: !!dto.publiclyViewable,
            systemLeak: !!dto.systemLeak,
          },
        },
        m,
      );
      return id;
    });
    return this.reschedule(id);
  }

  async list(status?: 'open' | 'closed'): Promise<{ items: Omit<BreachView, 'reports' | 'alarms' | 'affectedBySource' | 'report'>[] }> {
    const rows = await this.repo.list(status);
    const items = await Promise.all(rows.map(async (row) => this.summaryOf(row, await this.repo.reports(row.id))));
    return { items };
  }

  async get(id: string): Promise<BreachView> {
    const row = await this.repo.get(id);
    if (!row) throw notFound();
    const [reports, alarms, bySource] = await Promise.all([this.repo.reports(id), this.repo.alarms(null, id), this.repo.affectedBySource(id)]);
    return {
      ...this.summaryOf(row, reports),
      affectedBySource: Object.fromEntries(bySource.map((s) => [s.source, s.count])),
      report: row.report,
      reports: reports.map((r) => ({
        id: r.id,
        kind: r.kind,
        sentAt: r.sent_at.toISOString(),
        means: r.means,
        reference: r.reference,
        note: r.note,
        recordedBy: r.recorded_by_username,
        recordedAt: r.recorded_at.toISOString(),
      })),
      alarms: alarms.map((a) => ({
        kind: a.kind,
        dueAt: a.due_at.toISOString(),
        raisedAt: a.raised_at.toISOString(),
        raisedBy: a.raised_by,
        status: a.status,
      })),
    };
  }

  async update(id: string, dto: UpdateBreachDto, staff: Staff, request: RequestMeta): Promise<BreachView> {
    await this.repo.transaction(async (m) => {
      const row = await this.repo.get(id, m, true);
      if (!row) throw notFound();
      if (row.status === 'closed' && dto.status !== 'open')
        throw new ConflictException({ code: 'breach.closed', message: 'The incident is closed; reopen it first' });
      const occurredFrom = dto.occurredFrom !== undefined ? new Date(dto.occurredFrom) : row.occurred_from;
      const occurredUntil = dto.occurredUntil !== undefined ? new Date(dto.occurredUntil) : row.occurred_until;
      this.checkOccurred(occurredFrom, occurredUntil);
      if (dto.status === 'closed' && row.status === 'open') {
        const duty = breachDuty(this.factsOf({ ...row, unlawful_purpose: dto.unlawfulPurpose ?? row.unlawful_purpose }), this.rules);
        const reports = await this.repo.reports(id, m);
        if (duty.applies && !reports.some((r) => r.kind === 'final')) {
          throw new ConflictException({ code: 'breach.final-report-missing', message: 'The report duty applies and no final report (確報) is recorded' });
        }
      }
      await this.repo.update(
        id,
        {
          title: dto.title,
          summary: dto.summary,
          discovered_by: dto.discoveredBy,
          occurred_from: dto.occurredFrom !== undefined ? occurredFrom : undefined,
          occurred_until: dto.occurredUntil !== undefined ? occurredUntil : undefined,
          unlawful_purpose: dto.unlawfulPurpose,
          publicly_viewable: dto.publiclyViewable,
          system_leak: dto.systemLeak,
          report: dto.report ? { ...row.report, ...reportItems(dto.report) } : undefined,
          status: dto.status,
          updated_at: this.clock.now(),
        },
        m,
      );
      await this.audit.record(
        {
          action: 'breach.updated',
          outcome: 'success',
          actor: staff,
          request,
          details: {
            incidentId: id,
            changed: Object.keys(dto).filter((k) => (dto as Record<string, unknown>)[k] !== undefined),
            status: dto.status ?? row.status,
          },
        },
        m,
      );
    });
    return this.reschedule(id);
  }

  /** Adds the people affected; answers how many were new and the duty that follows. */
  async addAffected(id: string, dto: AddAffectedDto, staff: Staff, request: RequestMeta): Promise<{ added: number; affectedCount: number; duty: BreachDuty }> {
    const now = this.clock.now();
    const added = await this.repo.transaction(async (m) => {
      const row = await this.repo.get(id, m, true);
      if (!row) throw notFound();
      if (row.status === 'closed') throw new ConflictException({ code: 'breach.closed', message: 'The incident is closed; reopen it first' });
      let added: number;
      let filter: Record<string, unknown> = {};
      if (dto.source === 'reveals') {
        const from = new Date(dto.from!);
        const to = new Date(dto.to!);
        if (to.getTime() <= from.getTime()) throw new BadRequestException({ code: 'breach.range', message: 'to must be after from' });
        added = await this.repo.addFromReveals(id, { actorId: dto.actorId ?? null, from, to }, now, m);
        filter = { actorId: dto.actorId ?? null, from: from.toISOString(), to: to.toISOString() };
      } else if (dto.source === 'listed') {
        let ids = dto.subjectIds;
        if (!ids) {
          // by the people's codes (the console's form): an unknown code adds nobody
          const byCode = await this.repo.subjectIdsByCode(dto.subjectCodes!, m);
          if (byCode.unknown.length) {
            throw new BadRequestException({
              code: 'breach.unknown-people',
              message: `${byCode.unknown.length} of the listed codes are not people on file (nothing was added)`,
              // the codes are named (the first 20), so that the list can be corrected
              params: { n: byCode.unknown.length, codes: byCode.unknown.slice(0, 20).join('、') },
            });
          }
          ids = byCode.ids;
        }
        const result = await this.repo.addListed(id, ids, now, m);
        if (result.unknown.length) {
          throw new BadRequestException({
            code: 'breach.unknown-people',
            message: `${result.unknown.length} of the listed ids are not people on file`,
            unknown: result.unknown,
          });
        }
        added = result.added;
        filter = { listed: ids.length, ...(dto.subjectCodes && !dto.subjectIds ? { byCode: true } : {}) };
      } else {
        added = await this.repo.addOnFile(id, now, m);
      }
      await this.audit.record(
        { action: 'breach.affected-added', outcome: 'success', actor: staff, request, details: { incidentId: id, source: dto.source, added, ...filter } },
        m,
      );
      return added;
    });
    const view = await this.reschedule(id);
    return { added, affectedCount: view.affectedCount, duty: view.duty };
  }

  async affected(id: string, limit: number, after: string | null) {
    if (!(await this.repo.get(id))) throw notFound();
    const rows = await this.repo.affected(id, limit, after);
    return {
      items: rows.map((r) => ({ subjectId: r.subject_id, code: r.code, kind: r.kind, name: r.name, source: r.source, addedAt: r.added_at.toISOString() })),
      nextCursor: rows.length === limit ? (rows[rows.length - 1]?.code ?? null) : null,
    };
  }

  async recordReport(id: string, dto: RecordBreachReportDto, staff: Staff, request: RequestMeta): Promise<BreachView> {
    const now = this.clock.now();
    const sentAt = new Date(dto.sentAt);
    if (sentAt.getTime() > now.getTime()) throw new BadRequestException({ code: 'breach.sent-in-future', message: 'sentAt is in the future' });
    await this.repo.transaction(async (m) => {
      const row = await this.repo.get(id, m, true);
      if (!row) throw notFound();
      if (sentAt.getTime() < row.discovered_at.getTime()) {
        throw new BadRequestException({ code: 'breach.sent-before-discovery', message: 'sentAt is before the incident was discovered' });
      }
      const reportId = await this.repo.insertReport(
        {
          incident_id: id,
          kind: dto.kind,
          sent_at: sentAt,
          means: dto.means,
          reference: dto.reference ?? null,
          note: dto.note ?? null,
          recorded_by: staff.userId,
          recorded_by_username: staff.username,
          recorded_at: now,
        },
        m,
      );
      if (!reportId) throw new ConflictException({ code: 'breach.report-recorded', message: `The ${dto.kind} report is already recorded` });
      // a 確報 also answers the 速報 (both may be sent together when everything is known early)
      const resolves: BreachAlarmKind[] = dto.kind === 'final' ? ['preliminary', 'final'] : dto.kind === 'preliminary' ? ['preliminary'] : [];
      if (resolves.length) await this.repo.resolveAlarms(id, resolves, now, m);
      const deadlines = breachDeadlines(this.factsOf(row), this.rules, this.finalAlarmDaysBefore);
      const dueAt = dto.kind === 'preliminary' ? deadlines.preliminary.dueAt : dto.kind === 'final' ? deadlines.final.dueAt : null;
      await this.audit.record(
        {
          action: 'breach.report-recorded',
          outcome: 'success',
          actor: staff,
          request,
          details: { incidentId: id, reportId, kind: dto.kind, sentAt: sentAt.toISOString(), late: dueAt ? sentAt.toISOString() > dueAt : false },
        },
        m,
      );
    });
    return this.reschedule(id);
  }

  alarms(status: 'open' | 'resolved' | null) {
    return this.repo.alarms(status).then((rows) => ({
      items: rows.map((a) => ({
        id: a.id,
        incidentId: a.incident_id,
        title: a.title,
        kind: a.kind,
        dueAt: a.due_at.toISOString(),
        raisedAt: a.raised_at.toISOString(),
        raisedBy: a.raised_by,
        status: a.status,
      })),
    }));
  }

  /** Raises the incident's alarms whose time has come (idempotent): the queue's job, the sweep. */
  async raiseDue(incidentId: string, by: string): Promise<number> {
    const row = await this.repo.get(incidentId);
    if (!row || row.status === 'closed') return 0;
    const facts = this.factsOf(row);
    if (!breachDuty(facts, this.rules).applies) return 0;
    const reports = await this.repo.reports(incidentId);
    const sent = new Set(reports.map((r) => r.kind));
    const d = breachDeadlines(facts, this.rules, this.finalAlarmDaysBefore);
    const now = this.clock.now().toISOString();
    let raised = 0;
    const due: { kind: BreachAlarmKind; alarmAt: string; dueAt: string; done: boolean }[] = [
      { kind: 'preliminary', alarmAt: d.preliminary.alarmAt, dueAt: d.preliminary.dueAt, done: sent.has('preliminary') || sent.has('final') },
      { kind: 'final', alarmAt: d.final.alarmAt, dueAt: d.final.dueAt, done: sent.has('final') },
    ];
    for (const a of due) {
      if (a.done || now < a.alarmAt) continue;
      if (!(await this.repo.raiseAlarm(incidentId, a.kind, new Date(a.dueAt), by, new Date(now)))) continue;
      raised++;
      await this.audit.record({ action: 'breach.alarm-raised', outcome: 'success', details: { incidentId, report: a.kind, dueAt: a.dueAt, raisedBy: by } });
      await this.notifier.breachAlarm({ incidentId, report: a.kind, dueAt: a.dueAt });
    }
    return raised;
  }

  /** Checks every open incident (the fallback of the queue; POST /breaches/sweep). */
  async sweep(by: string): Promise<{ raised: number }> {
    let raised = 0;
    for (const id of await this.repo.openIncidentIds()) raised += await this.raiseDue(id, by);
    return { raised };
  }

  /** The report's items in the PPC form's order, filled from the register (ready to copy into the online form). */
  async printable(
    id: string,
    which: 'report' | 'notice',
  ): Promise<{ title: string; basis: string; note?: string; items: { code: string; label: string; basis: string; value: string }[] }> {
    const view = await this.get(id);
    const rules = this.rules;
    const values: Record<string, string> = {
      summary: [
        `事案: ${view.title}（${CATEGORY_LABELS[view.category] ?? view.category}）`,
        `概要: ${view.summary}`,
        `発生日時: ${view.occurredFrom ? jst(view.occurredFrom) : '不明'}${view.occurredUntil ? ` ～ ${jst(view.occurredUntil)}` : ''}`,
        `発覚日時: ${jst(view.discoveredAt)}${view.discoveredBy ? `（発見者: ${view.discoveredBy}）` : ''}`,
        `該当する事態: ${view.duty.triggers.length ? view.duty.triggers.map((t) => `${t.label}（${t.basis}）`).join('; ') : '報告対象の事態に該当しない（任意の報告）'}`,
      ].join('\n'),
      items: view.report.items ?? '個人番号',
      people: `${view.affectedCount}人`,
    };
    const codes = which === 'report' ? rules.reportItems.map((i) => i.code) : rules.noticeItems;
    const items = codes.map((code) => {
      const item = rules.reportItems.find((i) => i.code === code)!;
      return { code, label: item.label, basis: item.basis, value: values[code] ?? view.report[code] ?? '（未記入）' };
    });
    return which === 'report'
      ? {
          title: '特定個人情報の漏えい等に関する報告（報告事項）',
          basis: rules.basis,
          ...(rules.reportItemsNote ? { note: rules.reportItemsNote } : {}),
          items,
        }
      : { title: '本人への通知（漏えい等の事態）', basis: rules.noticeBasis, ...(rules.noticeItemsNote ? { note: rules.noticeItemsNote } : {}), items };
  }

  private summaryOf(row: BreachIncidentRow, reports: BreachReportRow[]) {
    const facts = this.factsOf(row);
    const duty = breachDuty(facts, this.rules);
    const d = breachDeadlines(facts, this.rules, this.finalAlarmDaysBefore);
    const sent = new Set(reports.map((r) => r.kind));
    const now = this.clock.now().toISOString();
    const state = (done: boolean, alarmAt: string, dueAt: string): DeadlineState =>
      done ? 'reported' : !duty.applies ? 'not-required' : now > dueAt ? 'overdue' : now >= alarmAt ? 'alarm' : 'pending';
    return {
      id: row.id,
      title: row.title,
      category: row.category,
      summary: row.summary,
      occurredFrom: row.occurred_from?.toISOString() ?? null,
      occurredUntil: row.occurred_until?.toISOString() ?? null,
      discoveredAt: row.discovered_at.toISOString(),
      discoveredBy: row.discovered_by,
      unlawfulPurpose: row.unlawful_purpose,
      publiclyViewable: row.publicly_viewable,
      systemLeak: row.system_leak,
      status: row.status,
      openedBy: row.created_by_username,
      openedAt: row.created_at.toISOString(),
      affectedCount: row.affected_count,
      duty: { ...duty, basis: this.rules.basis, ...(this.rules.note ? { note: this.rules.note } : {}) },
      deadlines: {
        ...d,
        preliminaryState: state(sent.has('preliminary') || sent.has('final'), d.preliminary.alarmAt, d.preliminary.dueAt),
        finalState: state(sent.has('final'), d.final.alarmAt, d.final.dueAt),
      },
    };
  }

  /** Schedules (or removes) the incident's two alarm jobs, raises what is already due, answers the view. */
  private async reschedule(id: string): Promise<BreachView> {
    const view = await this.get(id);
    const sent = new Set(view.reports.map((r) => r.kind));
    const active = view.status === 'open' && view.duty.applies;
    await this.queue.schedule(
      { incidentId: id, kind: 'preliminary' },
      active && !sent.has('preliminary') && !sent.has('final') ? new Date(view.deadlines.preliminary.alarmAt) : null,
    );
    await this.queue.schedule({ incidentId: id, kind: 'final' }, active && !sent.has('final') ? new Date(view.deadlines.final.alarmAt) : null);
    // an incident found late (or a duty that appears late) may already be past an alarm's time
    return (await this.raiseDue(id, 'register')) ? this.get(id) : view;
  }

  private factsOf(row: Pick<BreachIncidentRow, 'discovered_at' | 'affected_count' | 'unlawful_purpose' | 'publicly_viewable' | 'system_leak'>) {
    return {
      discoveredAt: row.discovered_at,
      affectedCount: row.affected_count,
      unlawfulPurpose: row.unlawful_purpose,
      publiclyViewable: row.publicly_viewable,
      systemLeak: row.system_leak,
    };
  }

  private checkOccurred(from: Date | null, until: Date | null): void {
    if (from && until && until.getTime() < from.getTime())
      throw new BadRequestException({ code: 'breach.occurred-range', message: 'occurredUntil is before occurredFrom' });
  }
}

const CATEGORY_LABELS: Record<string, string> = { leak: '漏えい', loss: '滅失', damage: '毀損' };

function jst(iso: string): string {
  return new Date(Date.parse(iso) + 9 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') + '（日本時間）';
}

function notFound(): NotFoundException {
  return new NotFoundException({ code: 'breach.not-found', message: 'No such incident' });
}

function reportItems(dto: object | undefined): BreachReportItems {
  const out: BreachReportItems = {};
  if (!dto) return out;
  for (const key of REPORT_ITEM_KEYS) {
    const v = (dto as Record<string, unknown>)[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}
