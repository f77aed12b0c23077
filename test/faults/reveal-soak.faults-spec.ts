/**
 * Soak (moved here from test/reveal.e2e-spec.ts so `npm test` stays fast, issue #20):
 * REVEAL_SOAK_SECONDS (default 60) of concurrent reveals from 50 closed-loop clients against the
 * vault as its own process. Zero errors, and the trail holds exactly one `number.revealed` entry
 * per successful reveal: the audit entry is committed before the number leaves, under load too.
 */
import { closedLoop } from '../bench/stats';
import { startStack, Stack } from './support/processes';
import { createSubjects, HttpSubject, reveal, setUpTeam, stepUp, Team } from './support/http-staff';

const SOAK_SECONDS = Number(process.env.REVEAL_SOAK_SECONDS ?? 60);
const CLIENTS = 50;

describe('fault: reveal soak', () => {
  let stack: Stack;
  let team: Team;
  let people: HttpSubject[];

  beforeAll(async () => {
    // Step-up lasts the whole run (the default 5 minutes could end during a slow setup plus the soak).
    stack = await startStack({ STEP_UP_MINUTES: '60' });
    team = await setUpTeam(stack.vault);
    people = await createSubjects(team.clerk, 20);
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  const revealedCount = async (ids: string[]) =>
    (
      await stack.pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entry WHERE action = 'number.revealed' AND subject_id = ANY($1::uuid[])`, [ids])
    )[0]!.n;

  it(
    `${SOAK_SECONDS} s of concurrent reveals at ${CLIENTS} clients: zero errors, audit count equals successes`,
    async () => {
      const { clerk } = team;
      await stepUp(clerk);
      const ids = people.map((p) => p.id);
      const before = await revealedCount(ids);
      // A closed loop that waits for every request it started, so the count of successes is exact.
      let ok = 0;
      const failures: string[] = [];
      const result = await closedLoop(CLIENTS, SOAK_SECONDS, async (i) => {
        const person = people[i % people.length]!;
        const res = await reveal(clerk, person.id, 'withholding-slip', 60_000);
        if (res.status === 200 && res.body.number === person.number) ok++;
        else if (failures.length < 20)
          failures.push(`${res.status} ${res.status === 200 ? 'a different number' : res.text.replace(/\d{12}/g, '<digits>').slice(0, 200)}`);
      });
      console.log(`reveal soak: ${ok} reveals in ${SOAK_SECONDS} s (${result.perSecond.toFixed(0)}/s, p99 ${result.p99.toFixed(0)} ms)`);
      expect(result.errors).toBe(0);
      expect(failures).toEqual([]);
      expect(ok).toBeGreaterThan(0);
      expect((await revealedCount(ids)) - before).toBe(ok);
    },
    (SOAK_SECONDS + 60) * 1000,
  );
});
