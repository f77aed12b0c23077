import { Queryable } from './audit-sql';

/** SQL of the unusual-use alerts over audit_entry; AuditAlertsService holds the rules (config/alerts.json). */

/** Per actor: the span of entries an alert is about. */
export interface ActorSpan {
  actorId: string | null;
  actorUsername: string | null;
  firstAt: Date;
  lastAt: Date;
  firstSeq: string;
  lastSeq: string;
}

export interface WindowRow extends ActorSpan {
  /** The most entries of `action` within one sliding hour. */
  peak: number;
  /** Entries that closed an hour holding more than the limit. */
  over: number;
}

/** Per actor: the entries that closed a sliding hour holding more than `limit` of `action`. */
export async function slidingHourOver(q: Queryable, action: string, from: Date, to: Date, limit: number): Promise<WindowRow[]> {
  return q.query(
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

/** Per actor and local day: reveals and bulk retrievals outside the working hours (local time in `hours.timezone`). */
export async function useOutsideHours(
  q: Queryable,
  from: Date,
  to: Date,
  hours: { timezone: string; start: string; end: string; weekdaysOnly: boolean },
): Promise<Array<ActorSpan & { count: number; day: string }>> {
  return q.query(
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
}

/** Per actor: actions taken alone under a four-eyes waiver (issue #19). */
export async function fourEyesWaived(q: Queryable, from: Date, to: Date): Promise<Array<ActorSpan & { count: number; actions: string[] }>> {
  return q.query(
    `SELECT actor_id AS "actorId", max(actor_username) AS "actorUsername", count(*)::int AS count, array_agg(DISTINCT action) AS actions,
              min(at) AS "firstAt", max(at) AS "lastAt", min(seq)::text AS "firstSeq", max(seq)::text AS "lastSeq"
         FROM audit_entry e
        WHERE e.action IN ('approval.policy-changed', 'approval.granted', 'number.disposed', 'disposal.batch-run', 'user.roles-approved')
          AND e.details->>'fourEyes' = 'waived' AND e.at >= $1 AND e.at < $2
        GROUP BY actor_id ORDER BY min(at)`,
    [from, to],
  );
}
