/**
 * Fault: Redis stopped for a while, then restarted empty (as after a flush). Reveals and
 * logins keep working throughout; /health says "degraded" while Redis is away and "ok" after;
 * a disposal alarm that fell due while Redis was away (its delayed Bull job lost with the
 * flush) is raised once Redis is back.
 */
import Redis from 'ioredis';
import { startStack, Stack, sleep } from './support/processes';
import { call, createSubject, createSubjects, login, reveal, setUpTeam, Team, HttpSubject } from './support/http-staff';

/** A calendar date in Japan, `days` from today (due dates are Japanese calendar dates). */
function tokyoDate(days: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(Date.now() + days * 86_400_000),
  );
}

async function openAlarms(stack: Stack, subjectId: string): Promise<number> {
  const rows = await stack.pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM disposal_alarm WHERE subject_id = $1 AND status = 'open'`, [subjectId]);
  return rows[0]!.n;
}

describe('fault: Redis outage', () => {
  let stack: Stack;
  let team: Team;
  let subjects: HttpSubject[];
  /** Leaves in 30 days: its alarm is a delayed Bull job (due on the post-leaving floor), lost when Redis comes back empty. */
  let leaving: HttpSubject;

  beforeAll(async () => {
    // No start-up catch-up sweep (5 s after start): it would raise the alarm below during the outage
    // and hide whether the sweep on Redis's return does.
    stack = await startStack({ SWEEP_ON_START: 'false' });
    team = await setUpTeam(stack.vault);
    subjects = await createSubjects(team.clerk, 5);
    leaving = await createSubject(team.clerk);
    const left = await call(stack.vault.url, 'PATCH', `/subjects/${leaving.id}`, { token: team.clerk.token, body: { leftAt: tokyoDate(30) } });
    expect(left.status).toBe(200);
    const [schedule] = await stack.pg.query<{ due_on: string }>(`SELECT due_on::text FROM retention_schedule WHERE subject_id = $1`, [leaving.id]);
    // Due on the post-leaving floor (config/retention-floors.json): the day after 31 January of the year after leaving.
    expect(schedule!.due_on).toBe(`${Number(tokyoDate(30).slice(0, 4)) + 1}-02-01`);
    // Its delayed job (job id = subject id) is in Redis: the flush will lose it.
    const direct = new Redis(stack.redis.url());
    try {
      expect(await direct.exists(`mnv:bull:disposal-alarms:${leaving.id}`)).toBe(1);
    } finally {
      direct.disconnect();
    }
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it('keeps revealing and logging in while Redis is down, reports degraded, and ok once it is back', async () => {
    const { vault, redis } = stack;
    expect((await vault.health()).body?.status).toBe('ok');
    expect((await reveal(team.clerk, subjects[0]!.id)).status).toBe(200);

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
    expect((await reveal(team.clerk, subjects[1]!.id)).status).toBe(200);

    // A leave recorded while Redis is down, already due: raised at once from the database.
    const leftLongAgo = await createSubject(team.clerk);
    const left = await call(vault.url, 'PATCH', `/subjects/${leftLongAgo.id}`, { token: team.clerk.token, body: { leftAt: tokyoDate(-400) } });
    expect(left.status).toBe(200);
    expect(await openAlarms(stack, leftLongAgo.id)).toBe(1);

    // Time passes while Redis is away: the leaving person's due date arrives. (The child process's
    // clock cannot be moved, so the stored due date moves instead; the sweep reads only that.)
    await stack.pg.query(`UPDATE retention_schedule SET due_on = $2::date WHERE subject_id = $1`, [leaving.id, tokyoDate(-1)]);

    // Stay down a little longer (reconnect attempts must not pile up or block requests).
    await sleep(3_000);
    // Nothing raised it yet: the queue is gone and the daily sweep has not come round.
    expect(await openAlarms(stack, leaving.id)).toBe(0);
    expect((await reveal(team.clerk, subjects[2]!.id, 'withholding-slip', 5_000)).status).toBe(200);
    expect((await vault.health()).body?.status).toBe('degraded');

    // Redis returns, empty.
    await redis.start();
    const okAfter = await vault.waitForHealth('ok', 30_000);
    expect((await reveal(team.clerk, subjects[3]!.id)).status).toBe(200);
    expect((await login(team.clerk)).status).toBe(200);

    // The alarm that fell due meanwhile is raised after Redis returns (the recovery sweep).
    const raisedWithin = Date.now();
    while ((await openAlarms(stack, leaving.id)) === 0 && Date.now() - raisedWithin < 30_000) await sleep(250);
    const raisedAfter = Date.now() - raisedWithin;
    expect(await openAlarms(stack, leaving.id)).toBe(1);
    const [alarm] = await stack.pg.query<{ raised_by: string }>(`SELECT raised_by FROM disposal_alarm WHERE subject_id = $1`, [leaving.id]);
    expect(alarm!.raised_by).toBe('redis-recovered-sweep');

    // Every successful reveal has its audit row.
    const rows = await stack.pg.query<{ n: string }>(`SELECT count(*) AS n FROM audit_entry WHERE action = 'number.revealed' AND outcome = 'success'`);
    expect(Number(rows[0]!.n)).toBe(1 + subjects.length + 1 + 1 + 1);
    console.log(
      `redis outage: degraded after ${degradedAfter} ms, ok again ${okAfter} ms after restart, alarm raised ${raisedAfter} ms after ok, slowest reveal while down ${Math.max(...slowest)} ms`,
    );
  });
});
