import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 取扱状況の確認 (issue #19): the responsible person's sign-off of a month's handling report, once
 * per month. The sign-off is also an audit entry (`report.signed-off`); this row is what the
 * report shows and what makes a second sign-off of the same month impossible.
 */
export class MonthlyReportSignoff1766000900000 implements MigrationInterface {
  name = 'MonthlyReportSignoff1766000900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE monthly_report_signoff (
        month text PRIMARY KEY CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        signed_by uuid NOT NULL,
        signed_by_username text NOT NULL,
        comment text NOT NULL,
        signed_at timestamptz NOT NULL
      )`);
    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('mynumber.app_role', true), ''), 'mynumber_app');
      BEGIN
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON monthly_report_signoff FROM %I', app);
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE monthly_report_signoff`);
  }
}
