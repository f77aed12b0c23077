import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #16, findings 1 and 2: the hard lock becomes per-account backoff with three budgets,
 * each reserved atomically (one UPDATE … RETURNING) before an attempt is checked:
 * - passwords from addresses this account never completed a login from (failed_attempts /
 *   locked_until, the old columns, now meaning the backoff of that budget),
 * - passwords from its known addresses (known_failed_attempts / known_locked_until), so an
 *   outsider cannot keep the real person out,
 * - second-factor codes: TOTP, recovery codes, activation and step-up (factor_*), the hardest.
 * A login challenge counts its own code attempts (attempts).
 */
export class LoginBackoff1765000300000 implements MigrationInterface {
  name = 'LoginBackoff1765000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE staff_user
        ADD COLUMN known_failed_attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN known_locked_until timestamptz,
        ADD COLUMN factor_failed_attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN factor_locked_until timestamptz,
        ADD COLUMN known_addresses text[] NOT NULL DEFAULT '{}';
      ALTER TABLE auth_challenge ADD COLUMN attempts integer NOT NULL DEFAULT 0;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE auth_challenge DROP COLUMN attempts;
      ALTER TABLE staff_user
        DROP COLUMN known_failed_attempts, DROP COLUMN known_locked_until,
        DROP COLUMN factor_failed_attempts, DROP COLUMN factor_locked_until, DROP COLUMN known_addresses;
    `);
  }
}
