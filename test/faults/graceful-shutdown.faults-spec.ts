/**
 * Graceful shutdown: SIGTERM arrives while a year-end bulk retrieval is streaming. The vault
 * must finish that response (every row, the skipped list and the summary, each row audited)
 * before it closes the database, then exit by itself. A request that arrives after the signal
 * is served in full or refused (Nest closes the HTTP server only after the sealer's round,
 * which the lock below may hold up), never answered with a 5xx.
 *
 * As in the SIGKILL spec, the retrieval is held at a known point instead of a lucky moment:
 * a superuser session locks audit_entry once the first rows arrived, so the next batch waits
 * at its audit insert; SIGTERM is sent while it waits, then the lock is released.
 */
import { Client } from 'pg';
import { startStack, Stack, sleep } from './support/processes';
import { startBulk } from './support/bulk-stream';
import { createSubjects, HttpSubject, setUpTeam, stepUp, Team } from './support/http-staff';

const BULK_SUBJECTS = Number(process.env.FAULT_SHUTDOWN_BULK_SUBJECTS ?? 2100); // three batches of up to 1000

describe('fault: SIGTERM during a bulk retrieval', () => {
  let stack: Stack;
  let team: Team;
  let employees: HttpSubject[];
  let lock: Client | null = null;

  beforeAll(async () => {
    stack = await startStack();
    team = await setUpTeam(stack.vault);
    employees = await createSubjects(team.clerk, BULK_SUBJECTS, 16);
  });

  afterAll(async () => {
    await lock?.end().catch(() => undefined);
    await stack?.destroy();
  });

  it('finishes the streaming response, audited, before it exits', async () => {
    const { vault, pg } = stack;
    await stepUp(team.clerk).catch(() => undefined);
    lock = new Client({ connectionString: pg.url() });
    await lock.connect();
    await lock.query('BEGIN');

    const bulk = startBulk(team.clerk);
    await Promise.race([bulk.gotFirstRow, sleep(60_000)]);
    expect(bulk.received.length).toBeGreaterThan(0);
    await lock.query('LOCK TABLE audit_entry IN EXCLUSIVE MODE');
    for (let i = 0; i < 300; i++) {
      const { n } = await pg.queryOne<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'audit_entry'::regclass`);
      if (n > 0) break;
      await sleep(20);
    }
    const before = bulk.received.length;

    const ended = vault.terminate(90_000);
    await sleep(1500); // the signal is being handled
    const late = await fetch(`${vault.url}/health`).then(
      (r) => r.status,
      () => 0,
    );
    await lock.query('ROLLBACK');
    await lock.end();
    lock = null;

    await bulk.done;
    expect(bulk.cut()).toBe(false);
    const exit = await ended;
    expect(exit.exited).toBe(true);
    // Nest re-raises the signal after its shutdown hooks ran; either way, no crash code.
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    expect([0, 200]).toContain(late); // 0: no connection

    // Every person arrived, after the signal too, and each row has its committed audit entry.
    expect(before).toBeLessThan(employees.length);
    expect(bulk.received).toHaveLength(employees.length);
    expect(bulk.summary()).toMatchObject({ rows: employees.length });
    const audited = await pg.query<{ n: number }>(
      `SELECT count(DISTINCT subject_id)::int AS n FROM audit_entry WHERE action = 'number.bulk-retrieved' AND outcome = 'success' AND details->>'bulkId' = $1`,
      [bulk.summary()!.bulkId],
    );
    expect(audited[0]!.n).toBe(employees.length);
    const takeOut = await pg.query(`SELECT 1 FROM audit_entry WHERE action = 'number.exported' AND details->>'bulkId' = $1`, [bulk.summary()!.bulkId]);
    expect(takeOut).toHaveLength(1);
    console.log(`graceful shutdown: ${before} rows before SIGTERM, ${employees.length - before} after; late request answered ${late || 'no connection'}`);
  });
});
