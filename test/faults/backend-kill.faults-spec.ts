/**
 * Fault (issue #16, finding 7): PostgreSQL backends of the vault are terminated
 * (pg_terminate_backend, 57P01) again and again while clerks reveal numbers. Node must not exit
 * on an unhandled `error` event of a pool or client: the process stays up, requests fail
 * cleanly (503) or succeed, and reveals succeed again afterwards, each with its audit entry.
 */
import { startStack, Stack, sleep } from './support/processes';
import { createSubjects, HttpAnswer, HttpSubject, reveal, setUpTeam, Team } from './support/http-staff';

const CLIENTS = Number(process.env.FAULT_KILL_CLIENTS ?? 8);
const ROUNDS = Number(process.env.FAULT_KILL_ROUNDS ?? 20);

describe('fault: database backends terminated under reveal load', () => {
  let stack: Stack;
  let team: Team;
  let subjects: HttpSubject[];

  beforeAll(async () => {
    stack = await startStack();
    team = await setUpTeam(stack.vault);
    subjects = await createSubjects(team.clerk, 10);
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  it('keeps the process up through repeated pg_terminate_backend, answering only 200 or 503, and recovers', async () => {
    const { vault, pg } = stack;
    const statuses = new Map<number, number>();
    const bad: HttpAnswer[] = [];
    let successes = 0;
    let running = true;
    const loops = Array.from({ length: CLIENTS }, async (_, worker) => {
      let i = worker;
      while (running) {
        const s = subjects[i++ % subjects.length]!;
        const r = await reveal(team.clerk, s.id, 'withholding-slip', 15_000);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200) {
          if (r.body?.number !== s.number) bad.push(r);
          successes++;
        } else if (r.status !== 503 || r.text.includes(s.number!)) {
          bad.push(r);
        }
        if (r.status !== 200) await sleep(50);
      }
    });

    await sleep(1500);
    let killed = 0;
    for (let round = 0; round < ROUNDS && vault.running; round++) {
      const rows = await pg.query<{ ok: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      );
      killed += rows.filter((r) => r.ok).length;
      await sleep(150 + Math.floor(Math.random() * 200));
    }
    const aliveAfterKills = vault.running;
    const atEnd = successes;
    const deadline = Date.now() + 30_000;
    while (vault.running && successes < atEnd + 50 && Date.now() < deadline) await sleep(200);
    running = false;
    await Promise.all(loops);

    expect({ aliveAfterKills, alive: vault.running, log: vault.running ? '' : vault.recentLog().slice(-3000) }).toEqual({
      aliveAfterKills: true,
      alive: true,
      log: '',
    });
    expect(killed).toBeGreaterThan(ROUNDS);
    expect(bad.map((r) => `${r.status} ${r.text.slice(0, 200)}`)).toEqual([]);
    expect(successes).toBeGreaterThanOrEqual(atEnd + 50);
    expect((await vault.health(5000)).status).toBe(200);
    expect(vault.recentLog()).not.toMatch(/Unhandled 'error' event|uncaughtException/);
    // every successful reveal has its audit entry (none for the failed ones)
    const [audit] = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entry WHERE action = 'number.revealed' AND outcome = 'success'`);
    expect(audit!.n).toBe(successes);
    console.log(`backend kill: ${killed} backends terminated, ${successes} reveals ok, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  });
});
