/**
 * Fault: the private PostgreSQL is stopped (fast shutdown: every session terminated) while
 * clerks reveal numbers, stays down for a while, and starts again. During the outage requests
 * fail cleanly (503 with Retry-After, never a 500, never a number); the service reconnects by
 * itself; afterwards every successful reveal has exactly one audit entry, no failed one left a
 * trace, and the sealed audit chain verifies.
 */
import { startStack, Stack, sleep } from './support/processes';
import { call, createSubjects, fakeMyNumber, storeNumber, HttpAnswer, HttpStaff, login, reveal, setUpTeam, Team, HttpSubject } from './support/http-staff';

const CLIENTS = Number(process.env.FAULT_PG_CLIENTS ?? 10);
const OUTAGE_MS = Number(process.env.FAULT_PG_OUTAGE_MS ?? 6000);

describe('fault: PostgreSQL restarted while reveals run', () => {
  let stack: Stack;
  let team: Team;
  let subjects: HttpSubject[];

  beforeAll(async () => {
    stack = await startStack();
    team = await setUpTeam(stack.vault);
    subjects = await createSubjects(team.clerk, 20);
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it('answers 503 during the outage, recovers by itself, and the audit count equals the successful reveals', async () => {
    const { vault, pg } = stack;
    const clerk: HttpStaff = team.clerk;
    const statuses = new Map<number, number>();
    const bad: HttpAnswer[] = [];
    let successes = 0;
    let running = true;

    const loops = Array.from({ length: CLIENTS }, async (_, worker) => {
      let i = worker;
      while (running) {
        const s = subjects[i++ % subjects.length]!;
        const r = await reveal(clerk, s.id, 'withholding-slip', 15_000);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200) {
          if (r.body?.number !== s.number) bad.push(r);
          successes++;
        } else {
          if (r.status !== 503 || !r.headers.get('retry-after') || r.text.includes(s.number!)) bad.push(r);
          await sleep(100); // a client backing off, not a tight loop against a dead database
        }
      }
    });

    await sleep(2000);
    const beforeOutage = successes;
    await pg.stop();
    const stoppedAt = Date.now();
    // While it is down: health says error with 503, and requests answer 503 quickly.
    const downHealth = await vault.health(5000);
    expect(downHealth.status).toBe(503);
    expect(downHealth.body?.status).toBe('error');
    const duringOutage = await reveal(clerk, subjects[0]!.id, 'withholding-slip', 15_000);
    expect(duringOutage.status).toBe(503);
    expect(duringOutage.text).not.toContain(subjects[0]!.number!);
    // Other routes too: a store, a login, an audit search.
    const replacement = fakeMyNumber();
    const store = await storeNumber(clerk, subjects[1]!.id, replacement);
    expect(store.text).not.toContain(replacement);
    expect(store.status).toBe(503);
    const loginDown = await call(vault.url, 'POST', '/auth/login', { body: { username: team.auditor.username, password: team.auditor.password } });
    expect(loginDown.status).toBe(503);
    const auditDown = await call(vault.url, 'GET', '/audit/entries?limit=5', { token: team.auditor.token });
    expect(auditDown.status).toBe(503);

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
    await pg.start();
    const restartedAt = Date.now();
    const okAfter = await vault.waitForHealth('ok', 60_000);
    // The service recovers by itself: reveals succeed again without any restart of the vault.
    const successesAtRestart = successes;
    const recoveryDeadline = Date.now() + 60_000;
    while (successes < successesAtRestart + 50 && Date.now() < recoveryDeadline) await sleep(200);
    running = false;
    await Promise.all(loops);

    expect(bad.map((r) => `${r.status} ${r.text.slice(0, 200)}`)).toEqual([]);
    expect([...statuses.keys()].sort()).toEqual([200, 503]);
    expect(successes).toBeGreaterThanOrEqual(successesAtRestart + 50);
    expect(beforeOutage).toBeGreaterThan(0);
    expect(await login(team.auditor)).toMatchObject({ status: 200 });

    // The store refused during the outage changed nothing: the old number is on file, no store was audited.
    const after = await reveal(clerk, subjects[1]!.id);
    expect(after.status).toBe(200);
    expect(after.body.number).toBe(subjects[1]!.number);
    successes++;
    const [stores] = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entry WHERE action IN ('number.stored', 'number.corrected')`);
    expect(stores!.n).toBe(subjects.length);

    // No partial writes: one audit entry per successful reveal, nothing for the failed ones.
    const [audit] = await pg.query<{ n: number; other: number }>(
      `SELECT count(*) FILTER (WHERE outcome = 'success')::int AS n, count(*) FILTER (WHERE outcome <> 'success')::int AS other
         FROM audit_entry WHERE action = 'number.revealed'`,
    );
    expect(audit!.n).toBe(successes);
    expect(audit!.other).toBe(0);

    // The sealer resumed: every entry gets sealed and the chain verifies.
    const sealDeadline = Date.now() + 30_000;
    let unsealed = -1;
    while (Date.now() < sealDeadline) {
      const [row] = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entry WHERE hash IS NULL`);
      unsealed = row!.n;
      if (unsealed === 0) break;
      await sleep(500);
    }
    expect(unsealed).toBe(0);
    const verify = await call(vault.url, 'POST', '/audit/verify', { token: team.auditor.token, timeoutMs: 60_000 });
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(true);

    console.log(
      `postgres restart: ${successes} reveals ok, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `health ok ${okAfter} ms after restart (${restartedAt - stoppedAt} ms outage)`,
    );
  });
});
