import { EntityManager } from 'typeorm';
import { BackoffRule, BUDGET_COLUMNS, KNOWN_ADDRESSES_KEPT, LoginBudget } from './lockout';

/** TypeORM answers an UPDATE ... RETURNING on PostgreSQL with [rows, rowCount]. */
function returned<T>(result: unknown): T[] {
  return Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : [];
}

export type Reservation = { ok: true; failures: number; backoffUntil: Date | null } | { ok: false; retryAfterSeconds: number };

/**
 * SQL of the login budgets (see lockout.ts). `reserve` is the one statement that decides
 * whether an attempt may be checked: it counts the attempt and sets the next backoff at once,
 * under the row lock, so 60 parallel attempts check exactly as many as the budget allows.
 */
export class LoginBudgetRepository {
  constructor(private readonly m: EntityManager) {}

  async reserve(userId: string, budget: LoginBudget, rule: BackoffRule, now: Date): Promise<Reservation> {
    const { failures: f, until: u } = BUDGET_COLUMNS[budget];
    // failures so far; forgotten after a quiet period as long as the longest wait
    const so = `(CASE WHEN ${u} IS NOT NULL AND ${u} <= $5::timestamptz - make_interval(secs => $4::float8) THEN 0 ELSE ${f} END)`;
    const rows = returned<{ failures: number; until: Date | null }>(
      await this.m.query(
        `UPDATE staff_user SET
           ${f} = ${so} + 1,
           ${u} = $5::timestamptz + make_interval(secs => CASE WHEN ${so} + 1 >= $2 THEN least($4::float8, $3::float8 * power(2, least(${so} + 1 - $2, 30))) ELSE 0 END)
         WHERE id = $1 AND status = 'active' AND (${so} < $2 OR ${u} IS NULL OR ${u} <= $5)
         RETURNING ${f} AS failures, ${u} AS until`,
        [userId, rule.free, rule.baseSeconds, rule.capSeconds, now],
      ),
    );
    if (rows.length === 1) return { ok: true, failures: rows[0]!.failures, backoffUntil: rows[0]!.failures >= rule.free ? rows[0]!.until : null };
    const [row] = await this.m.query(`SELECT ${u} AS until FROM staff_user WHERE id = $1`, [userId]);
    const until: Date | null = row?.until ?? null;
    return { ok: false, retryAfterSeconds: until ? Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) : 1 };
  }

  /** A right password: its reserved attempt and the wait it set are given back (other people's failures stay). */
  async refund(userId: string, budget: LoginBudget, now: Date): Promise<void> {
    const { failures: f, until: u } = BUDGET_COLUMNS[budget];
    await this.m.query(`UPDATE staff_user SET ${f} = greatest(${f} - 1, 0), ${u} = least(${u}, $2) WHERE id = $1`, [userId, now]);
  }

  /** A correct attempt: the budget is whole again. */
  async clear(userId: string, budget: LoginBudget): Promise<void> {
    const { failures: f, until: u } = BUDGET_COLUMNS[budget];
    await this.m.query(`UPDATE staff_user SET ${f} = 0, ${u} = NULL WHERE id = $1`, [userId]);
  }

  /** Seconds until the budget's backoff ends (0: an attempt may be made now). */
  async waitSeconds(userId: string, budget: LoginBudget, rule: BackoffRule, now: Date): Promise<number> {
    const { failures: f, until: u } = BUDGET_COLUMNS[budget];
    const [row] = await this.m.query(`SELECT ${f} AS failures, ${u} AS until FROM staff_user WHERE id = $1`, [userId]);
    if (!row || row.failures < rule.free || !row.until || row.until <= now) return 0;
    return Math.max(1, Math.ceil((row.until.getTime() - now.getTime()) / 1000));
  }

  /** After a complete login: this address is known (newest first, at most KNOWN_ADDRESSES_KEPT). */
  async rememberAddress(userId: string, address: string): Promise<void> {
    await this.m.query(
      `UPDATE staff_user SET known_addresses = (array_prepend($2::text, array_remove(known_addresses, $2::text)))[1:${KNOWN_ADDRESSES_KEPT}]
        WHERE id = $1`,
      [userId, address],
    );
  }
}
