/**
 * Fault: Redis stopped for a while, then restarted empty (as after a flush). Reveals and
 * logins keep working throughout; /health says "degraded" while Redis is away and "ok" after.
 */
import { startStack, Stack, sleep } from './support/processes';
import { createSubjects, login, reveal, setUpTeam, Team, HttpSubject } from './support/http-staff';

describe('fault: Redis outage', () => {
  let stack: Stack;
  let team: Team;
  let subjects: HttpSubject[];

  beforeAll(async () => {
    stack = await startStack();
    team = await setUpTeam(stack.vault);
    subjects = await createSubjects(team.clerk, 5);
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it('keeps revealing and logging in while Redis is down, reports degraded, and ok once it is back', async () => {
    const { vault, redis } = stack;
    expect((await vault.health()).body?.status).toBe('ok');
    expect((await reveal(team.clerk, subjects[0].id)).status).toBe(200);

    await redis.stop();
    const degradedAfter = await vault.waitForHealth('degraded', 15_000);
    const health = await vault.health();
    expect(health.status).toBe(200);

    // While Redis is down: reveals answer quickly and correctly, logins work (password + TOTP).
    const slowest: number[] = [];
    for (const s of subjects) {
      const r = await reveal(team.clerk, s.id, 'withholding-slip', 5_000);
      expect(r.status).toBe(200);
      expect(r.body.number).toBe(s.number);
      slowest.push(r.ms);
    }
    const auditorLogin = await login(team.auditor);
    expect(auditorLogin).toMatchObject({ status: 200 });
    const entries = await fetch(`${vault.url}/audit/entries?action=number.revealed&limit=5`, {
      headers: { authorization: `Bearer ${team.auditor.token}` },
    });
    expect(entries.status).toBe(200);
    const clerkLogin = await login(team.clerk);
    expect(clerkLogin).toMatchObject({ status: 200 });
    expect((await reveal(team.clerk, subjects[1].id)).status).toBe(200);

    // Stay down a little longer (reconnect attempts must not pile up or block requests).
    await sleep(3_000);
    expect((await reveal(team.clerk, subjects[2].id, 'withholding-slip', 5_000)).status).toBe(200);
    expect((await vault.health()).body?.status).toBe('degraded');

    // Redis returns, empty.
    await redis.start();
    const okAfter = await vault.waitForHealth('ok', 30_000);
    expect((await reveal(team.clerk, subjects[3].id)).status).toBe(200);
    expect((await login(team.clerk)).status).toBe(200);

    // Every successful reveal has its audit row.
    const rows = await stack.pg.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit_entry WHERE action = 'number.revealed' AND outcome = 'success'`,
    );
    expect(Number(rows[0].n)).toBe(1 + subjects.length + 1 + 1 + 1);
    console.log(`redis outage: degraded after ${degradedAfter} ms, ok again ${okAfter} ms after restart, slowest reveal while down ${Math.max(...slowest)} ms`);
  });
});
