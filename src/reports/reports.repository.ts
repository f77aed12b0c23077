import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface ActionCount {
  action: string;
  outcome: string;
  count: number;
}
export interface PurposeCount {
  purpose: string | null;
  reveals: number;
  bulk: number;
  refused: number;
}
export interface StaffCount {
  actorId: string | null;
  username: string | null;
  firm: string | null;
  reveals: number;
  bulk: number;
  exports: number;
  refused: number;
  stores: number;
  disposals: number;
}
export interface DayCount {
  day: string;
  reveals: number;
  bulk: number;
  refused: number;
}
export interface ExportRow {
  seq: string;
  at: string;
  username: string | null;
  purpose: string | null;
  rows: number;
  kind: string | null;
  firmName: string | null;
  encryption: string | null;
}
export interface SignoffRow {
  month: string;
  signedBy: string;
  signedByUsername: string;
  comment: string;
  signedAt: string;
}
export interface OpenMatters {
  disposalAlarmsOpen: number;
  disposalsOverdue: number;
  mattersUnderReview: number;
  approvalsPending: number;
  breachesOpen: number;
}

const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const REVEALS = `'number.revealed', 'number.bulk-retrieved', 'number.reveal-refused'`;

/** SQL of the monthly handling report (取扱状況の確認): counts from the trail and the vault's tables, never a number. */
@Injectable()
export class ReportsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  actionCounts(from: Date, to: Date): Promise<ActionCount[]> {
    return this.dataSource.query(
      `SELECT action, outcome, count(*)::int AS count FROM audit_entry WHERE at >= $1 AND at < $2 GROUP BY action, outcome ORDER BY action, outcome`,
      [from, to],
    );
  }

  byPurpose(from: Date, to: Date): Promise<PurposeCount[]> {
    return this.dataSource.query(
      `SELECT purpose,
              count(*) FILTER (WHERE action = 'number.revealed' AND outcome = 'success')::int AS reveals,
              count(*) FILTER (WHERE action = 'number.bulk-retrieved' AND outcome = 'success')::int AS bulk,
              count(*) FILTER (WHERE outcome = 'refused')::int AS refused
         FROM audit_entry WHERE action IN (${REVEALS}) AND at >= $1 AND at < $2
        GROUP BY purpose ORDER BY purpose NULLS LAST`,
      [from, to],
    );
  }

  byStaff(from: Date, to: Date): Promise<StaffCount[]> {
    return this.dataSource.query(
      `SELECT actor_id AS "actorId", max(actor_username) AS username, max(details->'firm'->>'name') AS firm,
              count(*) FILTER (WHERE action = 'number.revealed' AND outcome = 'success')::int AS reveals,
              count(*) FILTER (WHERE action = 'number.bulk-retrieved' AND outcome = 'success')::int AS bulk,
              count(*) FILTER (WHERE action = 'number.exported' AND outcome = 'success')::int AS exports,
              count(*) FILTER (WHERE outcome = 'refused')::int AS refused,
              count(*) FILTER (WHERE action IN ('number.stored', 'number.corrected') AND outcome = 'success')::int AS stores,
              count(*) FILTER (WHERE action = 'number.disposed' AND outcome = 'success')::int AS disposals
         FROM audit_entry
        WHERE at >= $1 AND at < $2 AND actor_id IS NOT NULL
          AND (action IN (${REVEALS}, 'number.exported', 'number.stored', 'number.corrected', 'number.disposed') OR outcome = 'refused')
        GROUP BY actor_id ORDER BY max(actor_username)`,
      [from, to],
    );
  }

  daily(from: Date, to: Date, timezone: string): Promise<DayCount[]> {
    return this.dataSource.query(
      `SELECT (at AT TIME ZONE $3)::date::text AS day,
              count(*) FILTER (WHERE action = 'number.revealed' AND outcome = 'success')::int AS reveals,
              count(*) FILTER (WHERE action = 'number.bulk-retrieved' AND outcome = 'success')::int AS bulk,
              count(*) FILTER (WHERE outcome = 'refused')::int AS refused
         FROM audit_entry WHERE action IN (${REVEALS}) AND at >= $1 AND at < $2
        GROUP BY 1 ORDER BY 1`,
      [from, to, timezone],
    );
  }

  exports(from: Date, to: Date, limit: number): Promise<ExportRow[]> {
    return this.dataSource.query(
      `SELECT seq::text AS seq, ${ISO('at')} AS at, actor_username AS username, purpose,
              coalesce((details->>'rows')::int, 0) AS rows, details->'transfer'->>'kind' AS kind,
              details->'transfer'->>'firmName' AS "firmName", details->'transfer'->>'encryption' AS encryption
         FROM audit_entry WHERE action = 'number.exported' AND outcome = 'success' AND at >= $1 AND at < $2
        ORDER BY seq LIMIT $3`,
      [from, to, limit],
    );
  }

  /** Successful sign-ins outside working hours (same rule as the audit alerts). */
  async loginsOutsideHours(from: Date, to: Date, hours: { timezone: string; start: string; end: string; weekdaysOnly: boolean }): Promise<number> {
    const [row]: { count: number }[] = await this.dataSource.query(
      `WITH t AS (SELECT (e.at AT TIME ZONE $3) AS local FROM audit_entry e WHERE e.action = 'auth.login' AND e.outcome = 'success' AND e.at >= $1 AND e.at < $2)
       SELECT count(*)::int AS count FROM t
        WHERE NOT (CASE WHEN $4::time <= $5::time THEN local::time >= $4::time AND local::time < $5::time
                        ELSE local::time >= $4::time OR local::time < $5::time END)
           OR ($6 AND extract(isodow FROM local) >= 6)`,
      [from, to, hours.timezone, hours.start, hours.end, hours.weekdaysOnly],
    );
    return row?.count ?? 0;
  }

  /** What is still open: now, and disposals overdue at the end of the month (due before it, not disposed by then). */
  async openMatters(to: Date, lastDay: string): Promise<OpenMatters> {
    const [row]: OpenMatters[] = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM disposal_alarm WHERE status IN ('open', 'postponed'))::int AS "disposalAlarmsOpen",
              (SELECT count(*) FROM disposal_alarm
                WHERE due_on <= $2::date AND raised_at < $1 AND status <> 'withdrawn' AND (closed_at IS NULL OR closed_at >= $1))::int AS "disposalsOverdue",
              (SELECT count(*) FROM matter_review WHERE status = 'open')::int AS "mattersUnderReview",
              (SELECT count(*) FROM approval_request WHERE status = 'pending')::int AS "approvalsPending",
              (SELECT count(*) FROM breach_incident WHERE status = 'open')::int AS "breachesOpen"`,
      [to, lastDay],
    );
    return row!;
  }

  async signoff(month: string, manager?: EntityManager): Promise<SignoffRow | null> {
    const rows: SignoffRow[] = await (manager ?? this.dataSource.manager).query(
      `SELECT month, signed_by AS "signedBy", signed_by_username AS "signedByUsername", comment, ${ISO('signed_at')} AS "signedAt"
         FROM monthly_report_signoff WHERE month = $1`,
      [month],
    );
    return rows[0] ?? null;
  }

  /** Inserts the sign-off; null when the month was already signed (the primary key holds it once). */
  async insertSignoff(
    row: { month: string; signedBy: string; signedByUsername: string; comment: string; signedAt: Date },
    m: EntityManager,
  ): Promise<SignoffRow | null> {
    const rows: SignoffRow[] = await m.query(
      `INSERT INTO monthly_report_signoff (month, signed_by, signed_by_username, comment, signed_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (month) DO NOTHING
       RETURNING month, signed_by AS "signedBy", signed_by_username AS "signedByUsername", comment, ${ISO('signed_at')} AS "signedAt"`,
      [row.month, row.signedBy, row.signedByUsername, row.comment, row.signedAt],
    );
    return rows[0] ?? null;
  }
}
