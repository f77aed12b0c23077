/**
 * Load: FAULT_LOAD_SECONDS (default 60) of mixed traffic from 50 closed-loop clients against the
 * vault as its own process: reveals, stores (corrections of a number), full logins (password
 * and TOTP) and audit searches. Zero 5xx (and no refused or failed request at all), and the
 * audit trail holds exactly one entry per successful audited action: every reveal, store and login.
 */
import { startStack, Stack, sleep } from './support/processes';
import {
  call,
  createStaff,
  createSubjects,
  fakeMyNumber,
  HttpStaff,
  HttpSubject,
  login,
  reveal,
  setUpTeam,
  stepUp,
  storeNumber,
  Team,
} from './support/http-staff';

const SECONDS = Number(process.env.FAULT_LOAD_SECONDS ?? 60);
const CLIENTS = Number(process.env.FAULT_LOAD_CLIENTS ?? 50);
/** People who log in during the load; each can log in about twice per 30 s TOTP step window. */
const LOGIN_USERS = 8;

type Kind = 'reveal' | 'store' | 'login' | 'audit-search';
const AUDITED: Record<Exclude<Kind, 'audit-search'>, string[]> = {
  reveal: ['number.revealed'],
  store: ['number.stored', 'number.corrected'],
  login: ['auth.login'],
};

describe('fault: mixed load', () => {
  let stack: Stack;
  let team: Team;
  let revealed: HttpSubject[];
  let stored: HttpSubject[];
  let loginUsers: HttpStaff[];

  beforeAll(async () => {
    // Step-up lasts the whole run (the default 5 minutes could end during a slow setup plus the load).
    stack = await startStack({ STEP_UP_MINUTES: '60' });
    team = await setUpTeam(stack.vault);
    revealed = await createSubjects(team.clerk, 40);
    stored = await createSubjects(team.clerk, CLIENTS);
    loginUsers = [];
    for (let i = 0; i < LOGIN_USERS; i++) loginUsers.push(await createStaff(team.admin, [i % 2 ? 'auditor' : 'clerk'], 'load'));
  });

  afterAll(async () => {
    await stack?.destroy();
  });

  async function auditCounts(): Promise<Record<string, number>> {
    const rows = await stack.pg.query<{ action: string; n: number }>(
      `SELECT action, count(*)::int AS n FROM audit_entry WHERE outcome = 'success' GROUP BY action`,
    );
    return Object.fromEntries(rows.map((r) => [r.action, r.n]));
  }

  it(`${SECONDS} s at ${CLIENTS} clients of reveals, stores, logins and audit searches: zero 5xx, audit count equals audited successes`, async () => {
    const { vault } = stack;
    const { clerk, auditor } = team;
    await stepUp(clerk);
    const before = await auditCounts();
    const ok: Record<Kind, number> = { reveal: 0, store: 0, login: 0, 'audit-search': 0 };
    const failures: string[] = [];
    const statuses = new Map<string, number>();
    const busy = new Set<HttpStaff>();
    const note = (kind: Kind, status: number, text: string) => {
      statuses.set(`${kind} ${status}`, (statuses.get(`${kind} ${status}`) ?? 0) + 1);
      if (status >= 200 && status < 300) ok[kind]++;
      else if (failures.length < 20) failures.push(`${kind} ${status} ${text.replace(/\d{12}/g, '<digits>').slice(0, 200)}`);
    };
    /** A login user with a fresh TOTP step (no waiting), reserved for one login at a time. */
    const freeLoginUser = () => {
      const nowStep = Math.floor(Date.now() / 30_000);
      return loginUsers.find((u) => !busy.has(u) && u.lastStep < nowStep + 1 && (u.lastStep < nowStep || (Date.now() / 1000) % 30 > 2));
    };

    const end = Date.now() + SECONDS * 1000;
    let n = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, worker) => {
        while (Date.now() < end) {
          const i = n++;
          const pick = i % 20;
          if (pick === 0) {
            const who = freeLoginUser();
            if (who) {
              busy.add(who);
              try {
                const r = await login(who, { waitForCode: false });
                if (r.status !== 204) note('login', r.status, r.stage);
              } finally {
                busy.delete(who);
              }
              continue;
            }
          }
          if (pick === 1 || pick === 2) {
            const filters = ['action=number.revealed', `subject=${revealed[i % revealed.length]!.id}`, `actor=${clerk.id ?? ''}`, 'purpose=withholding-slip'];
            const r = await call(vault.url, 'GET', `/audit/entries?${filters[i % filters.length]}`, { token: auditor.token, timeoutMs: 60_000 });
            note('audit-search', r.status, r.text);
          } else if (pick === 3 || pick === 4) {
            const r = await storeNumber(clerk, stored[worker % stored.length]!.id, fakeMyNumber());
            note('store', r.status, r.text);
          } else {
            const s = revealed[i % revealed.length]!;
            const r = await reveal(clerk, s.id, 'withholding-slip', 60_000);
            note('reveal', r.status, r.status === 200 && r.body.number !== s.number ? 'wrong number' : r.text);
            if (r.status === 200 && r.body.number !== s.number) failures.push('reveal answered a different number');
          }
        }
      }),
    );
    await sleep(500);
    const after = await auditCounts();
    const delta = (actions: string[]) => actions.reduce((sum, a) => sum + (after[a] ?? 0) - (before[a] ?? 0), 0);

    console.log(`mixed load: ${JSON.stringify(ok)} in ${SECONDS} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(failures).toEqual([]);
    expect([...statuses.keys()].filter((k) => Number(k.split(' ')[1]) >= 500 || Number(k.split(' ')[1]) === 0)).toEqual([]);
    expect(ok.reveal).toBeGreaterThan(0);
    expect(ok.store).toBeGreaterThan(0);
    expect(ok.login).toBeGreaterThan(0);
    expect(ok['audit-search']).toBeGreaterThan(0);
    expect({ reveal: delta(AUDITED.reveal), store: delta(AUDITED.store), login: delta(AUDITED.login) }).toEqual({
      reveal: ok.reveal,
      store: ok.store,
      login: ok.login,
    });
  });
});
