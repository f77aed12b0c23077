/**
 * Retention sweep benchmark: 100,000 people with filings in a scratch database, then one sweep
 * that raises every due alarm (target: at most 10 s). The sweep is the production statement
 * (src/retention/alarm-sweep.sql.ts), run as the application role under the advisory lock.
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register test/bench/sweep.bench.ts
 *
 * BENCH_DATABASE_URL (or TEST_DATABASE_URL) names the server; a database is created and dropped
 * (BENCH_KEEP_DB=1 keeps it for EXPLAIN).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { prepareDatabase } from '../../src/database/prepare-database';
import { SqlRunner, sweepWithLock } from '../../src/retention/alarm-sweep.sql';
import { localDate } from '../../src/retention/due-dates';

export interface SweepBenchResult {
  subjects: number;
  alarmsRaised: number;
  /** "Still needed?" reviews raised by the same sweep (issue #14). */
  reviewsRaised: number;
  seconds: number;
}

/*
 * People, by i mod 10: 0-5 left between 2015 and 2024 with old filings (due now); 6-7 left at
 * the end of 2025 with a 2024 declaration (due 2032-01-11); 8-9 still employed (never due).
 * Each has a 扶養控除等申告書 (年分) and a 健康保険 matter: 200,000 filings. Since issue #14:
 * - every person has a primary relationship; one in four is also a payee (a director's rent),
 *   whose contract ended 90 days after leaving (or continues while employed): two relationships;
 * - people with i mod 10 = 5 are also the 配偶者 (dependent relationship) of person i-1, and
 *   person i-1's declaration names them (filing_person): dependents on declarations;
 * - one in twenty of the leavers (i mod 20 = 3) has a matter that never closed: no due date,
 *   a "still needed?" review a year after leaving, raised by the same sweep.
 * The schedule rows are what ScheduleService stores, computed here in SQL by the same rules
 * (latest over relationships with the post-leaving floor and over every filing carrying them).
 */
const SEED_SQL = [
  `INSERT INTO subject (id, kind, code, name, hired_at, left_at)
   SELECT gen_random_uuid(), 'employee', 'BENCH-' || i, 'ベンチ ' || i, DATE '2010-04-01',
          CASE WHEN i % 10 < 6 THEN DATE '2015-03-31' + ((i % 3650) || ' days')::interval
               WHEN i % 10 < 8 THEN DATE '2025-12-31' END
     FROM generate_series(1, $1::int) AS i`,
  `INSERT INTO subject_relationship (subject_id, kind, employee_id, started_at, ended_at, is_primary)
   SELECT id, 'employee', NULL, hired_at, left_at, true FROM subject WHERE code LIKE 'BENCH-%'`,
  `INSERT INTO subject_relationship (subject_id, kind, employee_id, started_at, ended_at, is_primary)
   SELECT id, 'payee', NULL, DATE '2012-04-01', left_at + 90, false
     FROM subject WHERE code LIKE 'BENCH-%' AND substr(code, 7)::int % 4 = 0`,
  `INSERT INTO subject_relationship (subject_id, kind, employee_id, started_at, ended_at, is_primary)
   SELECT d.id, 'dependent', e.id, DATE '2012-04-01', least(d.left_at, e.left_at), false
     FROM subject d JOIN subject e ON e.code = 'BENCH-' || (substr(d.code, 7)::int - 1)
    WHERE d.code LIKE 'BENCH-%' AND substr(d.code, 7)::int % 10 = 5`,
  `INSERT INTO filing (subject_id, document_type, tax_year, recorded_at, updated_at)
   SELECT id, 'dependents-declaration',
          CASE WHEN left_at IS NULL OR left_at < DATE '2025-01-01' THEN 2010 + (abs(hashtext(code)) % 7) ELSE 2024 END,
          now(), now()
     FROM subject WHERE code LIKE 'BENCH-%'`,
  `INSERT INTO filing (subject_id, document_type, closed_at, recorded_at, updated_at)
   SELECT id, 'health-pension',
          CASE WHEN substr(code, 7)::int % 20 = 3 THEN NULL ELSE DATE '2012-06-30' + ((abs(hashtext(code)) % 1000) || ' days')::interval END,
          now(), now()
     FROM subject WHERE code LIKE 'BENCH-%'`,
  `INSERT INTO filing_person (filing_id, subject_id)
   SELECT f.id, r.subject_id
     FROM subject_relationship r JOIN filing f ON f.subject_id = r.employee_id AND f.document_type = 'dependents-declaration'
    WHERE r.kind = 'dependent'`,
  `WITH ends AS (
     SELECT subject_id, bool_or(ended_at IS NULL) AS continuing, max(ended_at) AS left_on,
            max(make_date(extract(year FROM ended_at)::int + 1, 2, 1)) AS floor_due
       FROM subject_relationship GROUP BY subject_id
   ), carried AS (
     SELECT f.subject_id, f.document_type, f.tax_year, f.closed_at FROM filing f
     UNION ALL
     SELECT fp.subject_id, f.document_type, f.tax_year, f.closed_at FROM filing_person fp JOIN filing f ON f.id = fp.filing_id
   ), filings AS (
     SELECT subject_id, bool_or(document_type = 'health-pension' AND closed_at IS NULL) AS open_matter,
            max(CASE WHEN document_type = 'dependents-declaration' THEN make_date(tax_year + 8, 1, 11)
                     ELSE (closed_at + 1 + interval '2 years')::date END) AS due
       FROM carried GROUP BY subject_id
   )
   INSERT INTO retention_schedule (subject_id, due_on, rule, reason, left_on, review_on, computed_at)
   SELECT e.subject_id,
          CASE WHEN e.continuing OR f.open_matter THEN NULL ELSE greatest(e.floor_due, f.due) END,
          CASE WHEN e.continuing THEN NULL WHEN f.open_matter THEN 'health-pension'
               WHEN e.floor_due >= f.due THEN 'floor-employee-leaving' ELSE 'dependents-declaration' END,
          CASE WHEN e.continuing THEN 'not-left' WHEN f.open_matter THEN 'matter-open' ELSE 'due' END,
          CASE WHEN e.continuing THEN NULL ELSE e.left_on END,
          CASE WHEN NOT e.continuing AND f.open_matter THEN (e.left_on + interval '1 year')::date END,
          now()
     FROM ends e JOIN filings f ON f.subject_id = e.subject_id`,
  `ANALYZE`,
];

export async function benchSweep(options: { subjects?: number; log?: (line: string) => void } = {}): Promise<SweepBenchResult> {
  const subjects = options.subjects ?? 100_000;
  const log = options.log ?? (() => undefined);
  const url = new URL(process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `mnv_bench_sweep_${Date.now()}_${randomBytes(3).toString('hex')}`;
  url.pathname = `/${name}`;
  const env = { DATABASE_URL: url.toString(), DATABASE_APP_ROLE: process.env.DATABASE_APP_ROLE ?? 'mynumber_app', DATABASE_POOL_SIZE: 2 };
  const adminUrl = new URL(url.toString());
  adminUrl.pathname = '/postgres';

  let app: DataSource | undefined;
  try {
    await prepareDatabase(env);
    const owner = new Client({ connectionString: env.DATABASE_URL });
    await owner.connect();
    try {
      const seeded = Date.now();
      for (const sql of SEED_SQL) await owner.query(sql, sql.includes('$1') ? [subjects] : []);
      const [{ rels, named }] = (
        await owner.query(`SELECT (SELECT count(*) FROM subject_relationship)::int AS rels, (SELECT count(*) FROM filing_person)::int AS named`)
      ).rows;
      log(
        `seeded ${subjects} people (${rels} relationships), ${subjects * 2} filings naming ${named} dependents in ${((Date.now() - seeded) / 1000).toFixed(1)} s`,
      );
    } finally {
      await owner.end();
    }

    app = await new DataSource(dataSourceOptions(env, 'app')).initialize();
    const now = new Date();
    const params = { now, today: localDate(now), trigger: 'bench' };
    const transaction = <T>(work: (db: SqlRunner) => Promise<T>) => app!.transaction((m) => work(m as SqlRunner));
    const started = process.hrtime.bigint();
    const result = await sweepWithLock(transaction, params, true);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const againStarted = Date.now();
    const again = await sweepWithLock(transaction, params, true);
    const againMs = Date.now() - againStarted;
    if (!result || again?.raised !== 0) throw new Error('the second sweep raised alarms again: not idempotent');
    const [{ due }] = await app.query(`SELECT count(*)::int AS due FROM retention_schedule WHERE due_on <= $1`, [params.today]);
    if (result.raised !== due) throw new Error(`sweep raised ${result.raised} alarms, ${due} people are due`);
    const [{ reviews }] = await app.query(`SELECT count(*)::int AS reviews FROM retention_schedule WHERE review_on <= $1`, [params.today]);
    if (result.reviews !== reviews || reviews === 0) throw new Error(`sweep raised ${result.reviews} reviews, ${reviews} are due`);
    log(
      `sweep raised ${result.raised} alarms and ${result.reviews} reviews in ${seconds.toFixed(2)} s; a second sweep raised none in ${(againMs / 1000).toFixed(2)} s`,
    );
    return { subjects, alarmsRaised: result.raised, reviewsRaised: result.reviews, seconds: Math.round(seconds * 1000) / 1000 };
  } finally {
    await app?.destroy();
    if (process.env.BENCH_KEEP_DB === '1') {
      log(`kept database ${name}`);
    } else {
      const admin = new Client({ connectionString: adminUrl.toString() });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    }
  }
}

if (require.main === module) {
  benchSweep({ log: (line) => process.stdout.write(`${line}\n`) })
    .then((r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      if (r.seconds > 10) process.exitCode = 1;
    })
    .catch((error: Error) => {
      process.stderr.write(`sweep benchmark failed: ${error.stack}\n`);
      process.exit(1);
    });
}
