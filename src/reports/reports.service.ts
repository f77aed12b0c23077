import { ConflictException, Injectable } from '@nestjs/common';
import { AuditAlertsService, AuditAlert } from '@/audit/audit-alerts.service';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { LegalDataService } from '@/config/legal-data.service';
import { monthOf, parseMonth } from './month';
import { ActionCount, DayCount, ExportRow, OpenMatters, PurposeCount, ReportsRepository, SignoffRow, StaffCount } from './reports.repository';

export interface MonthlyReport {
  month: string;
  from: string;
  to: string;
  generatedAt: string;
  /** True while the month has not ended (figures still move). */
  partial: boolean;
  totals: {
    reveals: number;
    bulkRetrieved: number;
    exports: { provision: number; takeOut: number; rows: number };
    stores: number;
    corrections: number;
    disposals: number;
    disposalsRefused: number;
    refused: number;
  };
  byPurpose: Array<PurposeCount & { label: string | null }>;
  byStaff: StaffCount[];
  daily: DayCount[];
  exports: ExportRow[];
  refused: Array<{ action: string; count: number }>;
  logins: { success: number; failed: number; lockouts: number; outsideHours: number; recoveryCodesUsed: number };
  changes: { usersCreated: number; rolesChanged: number; rolesApproved: number; deactivated: number; shareHoldersRekeyed: number; sodExceptions: number };
  fourEyes: { policyWaived: number; waivedActions: number; approvalsGranted: number; approvalsRefused: number };
  alerts: Array<Pick<AuditAlert, 'type' | 'actorUsername' | 'count' | 'limit' | 'from' | 'to' | 'message'>>;
  alarms: { disposalRaised: number; disposed: number; breachAlarms: number; breachesOpened: number };
  openMatters: OpenMatters;
  signoff: SignoffRow | null;
}

const EXPORT_LIST_LIMIT = 200;

/**
 * 取扱状況の確認 (issue #19): a month's handling report in Japan time, computed from the trail and
 * the vault's tables (counts and staff names only, never a number), and the responsible person's
 * sign-off, once per month, recorded in the trail.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly repo: ReportsRepository,
    private readonly alertsService: AuditAlertsService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    private readonly legal: LegalDataService,
  ) {}

  async monthly(monthText: string): Promise<MonthlyReport> {
    const { month, from, to } = parseMonth(monthText);
    const now = this.clock.now();
    const hours = this.legal.alertRules.workingHours;
    const lastDay = new Date(to.getTime() - 1 + 9 * 3600_000).toISOString().slice(0, 10);
    const [counts, byPurpose, byStaff, daily, exports, outsideHours, openMatters, alerts, signoff] = await Promise.all([
      this.repo.actionCounts(from, to),
      this.repo.byPurpose(from, to),
      this.repo.byStaff(from, to),
      this.repo.daily(from, to, 'Asia/Tokyo'),
      this.repo.exports(from, to, EXPORT_LIST_LIMIT),
      this.repo.loginsOutsideHours(from, to, hours),
      this.repo.openMatters(to, lastDay),
      this.alertsService.alerts({ from, to }),
      this.repo.signoff(month),
    ]);
    const c = (action: string, outcome = 'success') => counts.find((r: ActionCount) => r.action === action && r.outcome === outcome)?.count ?? 0;
    const any = (action: string) => counts.filter((r: ActionCount) => r.action === action).reduce((n, r) => n + r.count, 0);
    const labels = new Map(this.legal.purposes.map((p) => [p.code, p.label]));
    const provisions = exports.filter((e) => e.kind === 'provision').length;
    return {
      month,
      from: from.toISOString(),
      to: to.toISOString(),
      generatedAt: now.toISOString(),
      partial: now < to,
      totals: {
        reveals: c('number.revealed'),
        bulkRetrieved: c('number.bulk-retrieved'),
        exports: { provision: provisions, takeOut: exports.length - provisions, rows: exports.reduce((n, e) => n + e.rows, 0) },
        stores: c('number.stored'),
        corrections: c('number.corrected'),
        disposals: c('number.disposed'),
        disposalsRefused: any('disposal.refused'),
        refused: counts.filter((r) => r.outcome === 'refused').reduce((n, r) => n + r.count, 0),
      },
      byPurpose: byPurpose.map((p) => ({ ...p, label: p.purpose ? (labels.get(p.purpose) ?? null) : null })),
      byStaff,
      daily,
      exports,
      refused: counts.filter((r) => r.outcome === 'refused').map((r) => ({ action: r.action, count: r.count })),
      logins: {
        success: c('auth.login'),
        failed: any('auth.login-failed'),
        lockouts: any('auth.lockout'),
        outsideHours,
        recoveryCodesUsed: c('auth.recovery-used'),
      },
      changes: {
        usersCreated: c('user.created'),
        rolesChanged: c('user.roles-changed'),
        rolesApproved: c('user.roles-approved'),
        deactivated: c('user.deactivated'),
        shareHoldersRekeyed: c('custody.rekeyed') + c('custody.enabled'),
        sodExceptions: c('user.sod-exception'),
      },
      fourEyes: {
        policyWaived: alerts.items.filter((a) => a.type === 'four-eyes-waived').length,
        waivedActions: alerts.items.filter((a) => a.type === 'four-eyes-waived').reduce((n, a) => n + a.count, 0),
        approvalsGranted: c('approval.granted'),
        approvalsRefused: any('approval.refused'),
      },
      alerts: alerts.items.map(({ type, actorUsername, count, limit, from: f, to: t, message }) => ({
        type,
        actorUsername,
        count,
        limit,
        from: f,
        to: t,
        message,
      })),
      alarms: {
        disposalRaised: c('disposal.batch-run'),
        disposed: c('number.disposed'),
        breachAlarms: c('breach.alarm-raised'),
        breachesOpened: c('breach.opened'),
      },
      openMatters,
      signoff,
    };
  }

  /** The responsible person signs a month off once it has ended; a second sign-off is `409 report.already-signed`. */
  async signOff(monthText: string, comment: string, staff: Staff, request: RequestMeta): Promise<SignoffRow> {
    const { month, to } = parseMonth(monthText);
    const now = this.clock.now();
    if (now < to) {
      throw new ConflictException({
        code: 'report.month-not-ended',
        message: `${month} has not ended yet (current month ${monthOf(now)}): sign it off from the first day of the next month`,
        params: { month },
      });
    }
    return this.repo.transaction(async (m) => {
      const row = await this.repo.insertSignoff({ month, signedBy: staff.userId, signedByUsername: staff.username, comment, signedAt: now }, m);
      if (!row) {
        const existing = await this.repo.signoff(month, m);
        throw new ConflictException({
          code: 'report.already-signed',
          message: `${month} was already signed off by ${existing?.signedByUsername ?? 'someone'} at ${existing?.signedAt ?? '?'}`,
          params: { month },
        });
      }
      // The comment stays in the sign-off row only; the trail records who, when and which month.
      await this.audit.record({ action: 'report.signed-off', outcome: 'success', actor: staff, request, details: { month } }, m);
      return row;
    });
  }
}
