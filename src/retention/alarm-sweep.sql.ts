/**
 * The one alarm-raising code path. The delayed queue job (one person), the repeatable sweep,
 * the in-process fallback timer and a recompute that finds a person already due all run this
 * statement; only the trigger differs. Set-based: one statement for any number of people, and
 * idempotent: the partial unique index on disposal_alarm (one open-or-postponed alarm per
 * person) makes a second run, or a concurrent instance, raise nothing twice.
 */

/** pg_try_advisory_xact_lock key of the sweep ("MNVSWEEP"), so one instance sweeps at a time. */
export const SWEEP_LOCK_KEY = '5570484705050314064';

/** Anything that runs SQL: a TypeORM EntityManager / QueryRunner / DataSource, or a pg client. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface RaiseDueParams {
  /** Now, from the ClockService. */
  now: Date;
  /** Today's date in Japan at `now` (due dates are calendar dates). */
  today: string;
  /** What triggered the run: queue, sweep, fallback-sweep, recompute. */
  trigger: string;
  /** Limit to one person (the delayed job, a recompute); all people when absent. */
  subjectId?: string | null;
}

export interface RaiseDueResult {
  /** New alarms opened. */
  raised: number;
  /** Postponed alarms whose date has come, open again. */
  reopened: number;
  /** "Still needed?" reviews opened for leavers kept only by an open matter (issue #14). */
  reviews: number;
}

const RAISE_DUE_SQL = `
  WITH reopened AS (
    UPDATE disposal_alarm
       SET status = 'open', postponed_until = NULL, reopened_at = $1
     WHERE status = 'postponed' AND postponed_until <= $1
       AND ($4::uuid IS NULL OR subject_id = $4::uuid)
    RETURNING id
  ), raised AS (
    INSERT INTO disposal_alarm (subject_id, due_on, rule, status, raised_at, raised_by)
    SELECT rs.subject_id, rs.due_on, rs.rule, 'open', $1, $3
      FROM retention_schedule rs
     WHERE rs.due_on <= $2::date
       AND rs.disposed_at IS NULL
       AND ($4::uuid IS NULL OR rs.subject_id = $4::uuid)
    -- FOR UPDATE: a disposal holds its person's schedule row until it commits; waiting for it and
    -- rechecking disposed_at on the row it wrote keeps a disposed person from getting a new open
    -- alarm (without it, the insert waited only for the old alarm's index entry, found it closed
    -- by then, and raised one: seen in the sigkill fault spec, issue #22).
    FOR UPDATE OF rs
    -- No NOT EXISTS anti-join here: the unique index alone decides. (On a fresh table the planner
    -- picked a nested loop that rescanned the rows this very statement was inserting: 20 s for
    -- 60,000 alarms instead of 2.)
    ON CONFLICT (subject_id) WHERE status IN ('open', 'postponed') DO NOTHING
    RETURNING id
  ), reviews AS (
    INSERT INTO matter_review (subject_id, due_on, status, raised_at, raised_by)
    SELECT rs.subject_id, rs.review_on, 'open', $1, $3
      FROM retention_schedule rs
     WHERE rs.review_on <= $2::date
       AND rs.disposed_at IS NULL
       AND ($4::uuid IS NULL OR rs.subject_id = $4::uuid)
    FOR UPDATE OF rs
    ON CONFLICT (subject_id) WHERE status = 'open' DO NOTHING
    RETURNING id
  )
  SELECT (SELECT count(*) FROM raised)::int AS raised, (SELECT count(*) FROM reopened)::int AS reopened,
         (SELECT count(*) FROM reviews)::int AS reviews`;

export async function raiseDueAlarms(db: SqlRunner, params: RaiseDueParams): Promise<RaiseDueResult> {
  const rows = (await db.query(RAISE_DUE_SQL, [params.now, params.today, params.trigger, params.subjectId ?? null])) as
    { raised: number; reopened: number; reviews: number }[] | { rows: { raised: number; reopened: number; reviews: number }[] };
  const row = Array.isArray(rows) ? rows[0] : rows.rows[0];
  return { raised: Number(row!.raised), reopened: Number(row!.reopened), reviews: Number(row!.reviews) };
}

/**
 * Runs the sweep under the advisory lock, in one transaction on one connection. With `wait`
 * false another instance's sweep in progress means this one is skipped (it would find nothing);
 * with `wait` true (an explicit call) it waits its turn.
 */
export async function sweepWithLock(
  transaction: <T>(work: (db: SqlRunner) => Promise<T>) => Promise<T>,
  params: RaiseDueParams,
  wait: boolean,
): Promise<RaiseDueResult | null> {
  return transaction(async (db) => {
    if (wait) {
      await db.query('SELECT pg_advisory_xact_lock($1::bigint)', [SWEEP_LOCK_KEY]);
    } else {
      const result = (await db.query('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [SWEEP_LOCK_KEY])) as
        { locked: boolean }[] | { rows: { locked: boolean }[] };
      const row = Array.isArray(result) ? result[0] : result.rows[0];
      if (!row!.locked) return null;
    }
    return raiseDueAlarms(db, params);
  });
}
