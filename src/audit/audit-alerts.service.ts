import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClockService } from '@/config/clock.service';
import { LegalDataService } from '@/config/legal-data.service';

export type AlertType = 'reveals-per-hour' | 'outside-working-hours' | 'refused-reveals' | 'four-eyes-waived';

export interface AuditAlert {
  type: AlertType;
  actorId: string | null;
  actorUsername: string | null;
  /** Entries involved (over the limit, or outside hours). */
  count: number;
  /** The configured limit, where the rule has one. */
  limit: number | null;
  from: string;
  to: string;
  firstSeq: string;
  lastSeq: string;
  message: string;
}

interface WindowRow {
  actorId: string | null;
  actorUsername: string | null;
  peak: number;
  over: number;
  firstAt: Date;
  lastAt: Date;
  firstSeq: string;
  lastSeq: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Unusual use, computed from the trail with the thresholds in config/alerts.json:
 * - one person revealing more numbers than `maxRevealsPerHour` within any sliding hour
 *   (single reveals, `number.revealed`; bulk retrieval for a filing is expected volume);
 * - reveals or bulk retrievals outside working hours (local time in `workingHours.timezone`,
 *   weekends too when `weekdaysOnly`; public holidays are not known to the vault);
 * - more refused reveals (`number.reveal-refused`) than `maxRefusedRevealsPerHour` within an hour.
 */
@Injectable()
export class AuditAlertsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly legal: LegalDataService,
    private readonly clock: ClockService,
  ) {}

  async alerts(range: { from?: Date; to?: Date } = {}): Promise<{ items: AuditAlert[]; nextCursor: null; from: string; to: string }> {
    const to = range.to ?? this.clock.now();
    const from = range.from ?? new Date(to.getTime() - 7 * DAY_MS);
    const rules = this.legal.alertRules;
    const items: AuditAlert[] = [];

    for (const row of await this.slidingHour('number.revealed', from, to, rules.maxRevealsPerHour)) {
      items.push({
        type: 'reveals-per-hour',
        ...this.common(row),
        count: row.peak,
        limit: rules.maxRevealsPerHour,
        message: `${row.actorUsername ?? 'unknown'} revealed ${row.peak} numbers within one hour (limit ${rules.maxRevealsPerHour})`,
      });
    }
    for (const row of await this.slidingHour('number.reveal-refused', from, to, rules.maxRefusedRevealsPerHour)) {
      items.push({
        type: 'refused-reveals',
        ...this.common(row),
        count: row.peak,
        limit: rules.maxRefusedRevealsPerHour,
        message: `${row.actorUsername ?? 'unknown'} was refused ${row.peak} reveals within one hour (limit ${rules.maxRefusedRevealsPerHour})`,
      });
    }
    const hours = rules.workingHours;
    const outside: Array<Omit<WindowRow, 'peak' | 'over'> & { count: number; day: string }> = await this.dataSource.query(
      `WITH t AS (
         SELECT e.*, (e.at AT TIME ZONE $3) AS local FROM audit_entry e
         WHERE e.action IN ('number.revealed', 'number.bulk-retrieved') AND e.at >= $1 AND e.at < $2)
       SELECT actor_id AS "actorId", max(actor_username) AS "actorUsername", local::date::text AS day, count(*)::int AS count,
              min(at) AS "firstAt", max(at) AS "lastAt", min(seq)::text AS "firstSeq", max(seq)::text AS "lastSeq"
       FROM t
       WHERE NOT (CASE WHEN $4::time <= $5::time THEN local::time >= $4::time AND local::time < $5::time
                       ELSE local::time >= $4::time OR local::time < $5::time END)
          OR ($6 AND extract(isodow FROM local) >= 6)
       GROUP BY actor_id, local::date
       ORDER BY min(at)`,
      [from, to, hours.timezone, hours.start, hours.end, hours.weekdaysOnly],
    );
    for (const row of outside) {
      items.push({
        type: 'outside-working-hours',
        ...this.common(row),
        count: row.count,
        limit: null,
        message: `${row.actorUsername ?? 'unknown'} used ${row.count} number(s) outside working hours on ${row.day} (${hours.start}-${hours.end} ${hours.timezone}${hours.weekdaysOnly ? ', weekdays' : ''})`,
      });
    }
    // Issue #19: a four-eyes waiver, and everything approved alone under it, is flagged to auditors.
    const waived: Array<Omit<WindowRow, 'peak' | 'over'> & { count: number; actions: string[] }> = await this.dataSource.query(
      `SELECT actor_id AS "actorId", max(actor_username) AS "actorUsername", count(*)::int AS count, array_agg(DISTINCT action) AS actions,
              min(at) AS "firstAt", max(at) AS "lastAt", min(seq)::text AS "firstSeq", max(seq)::text AS "lastSeq"
         FROM audit_entry e
        WHERE e.action IN ('approval.policy-changed', 'approval.granted', 'number.disposed', 'disposal.batch-run', 'user.roles-approved')
          AND e.details->>'fourEyes' = 'waived' AND e.at >= $1 AND e.at < $2
        GROUP BY actor_id ORDER BY min(at)`,
      [from, to],
    );
    for (const row of waived) {
      items.push({
        type: 'four-eyes-waived',
        ...this.common(row),
        count: row.count,
        limit: null,
        message: `${row.actorUsername ?? 'unknown'}: ${row.count} action(s) without a second person under a four-eyes waiver (${row.actions.join(', ')})`,
      });
    }
    items.sort((a, b) => a.from.localeCompare(b.from));
    return { items, nextCursor: null, from: from.toISOString(), to: to.toISOString() };
  }

  private common(row: Omit<WindowRow, 'peak' | 'over'>) {
    return {
      actorId: row.actorId,
      actorUsername: row.actorUsername,
      from: new Date(row.firstAt).toISOString(),
      to: new Date(row.lastAt).toISOString(),
      firstSeq: row.firstSeq,
      lastSeq: row.lastSeq,
    };
  }

  /** Per actor: the entries that closed a sliding hour holding more than `limit` of `action`. */
  private async slidingHour(action: string, from: Date, to: Date, limit: number): Promise<WindowRow[]> {
    return this.dataSource.query(
      `WITH w AS (
         SELECT e.actor_id, e.actor_username, e.seq, e.at,
                count(*) OVER (PARTITION BY e.actor_id ORDER BY e.at RANGE BETWEEN interval '1 hour' PRECEDING AND CURRENT ROW) AS n
         FROM audit_entry e
         WHERE e.action = $1 AND e.at >= $2::timestamptz - interval '1 hour' AND e.at < $3)
       SELECT actor_id AS "actorId", max(actor_username) AS "actorUsername", max(n)::int AS peak, count(*)::int AS over,
              min(at) AS "firstAt", max(at) AS "lastAt", min(seq)::text AS "firstSeq", max(seq)::text AS "lastSeq"
       FROM w WHERE n > $4 AND at >= $2
       GROUP BY actor_id
       ORDER BY min(at)`,
      [action, from, to, limit],
    );
  }
}
