import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #14: retention that matches practice.
 *
 * - filing.fiscal_year becomes filing.tax_year (年分, the tax year the document is for). Every
 *   configured rule had its deadline in the year entered, so the number carries over, with one
 *   exception on the safe side: a 扶養控除等申告書 handed in (submitted_at) in October to December
 *   of the year entered was, in practice, the declaration for the NEXT 年分 (handed in before the
 *   first salary of that year); it becomes year + 1, so it is kept one year longer, never shorter.
 * - filing_person: the people a filing carries besides its filer (dependents on the employee's
 *   扶養控除等申告書); their due date is at least the filing's.
 * - early_disposal: a clerk records that the filings that follow a departure are done, an admin
 *   approves; then the post-leaving floor no longer applies to that departure.
 * - retention_schedule.review_on and matter_review: a leaver kept only by an open matter gets a
 *   "still needed?" review (confirm with a reason, or close the matter).
 */
export class RetentionFloorTaxYear1765000100000 implements MigrationInterface {
  name = 'RetentionFloorTaxYear1765000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE filing RENAME COLUMN fiscal_year TO tax_year`);
    await q.query(`
      UPDATE filing SET tax_year = tax_year + 1
       WHERE document_type = 'dependents-declaration' AND tax_year IS NOT NULL AND tax_year < 2200
         AND submitted_at IS NOT NULL AND extract(year FROM submitted_at) = tax_year AND extract(month FROM submitted_at) >= 10`);
    await q.query(`ALTER TABLE filing ADD CONSTRAINT filing_dates_bounded CHECK (
      (submitted_at IS NULL OR submitted_at BETWEEN '1900-01-01' AND '2200-12-31') AND (closed_at IS NULL OR closed_at BETWEEN '1900-01-01' AND '2200-12-31')) NOT VALID`);

    await q.query(`
      CREATE TABLE filing_person (
        filing_id uuid NOT NULL REFERENCES filing(id),
        subject_id uuid NOT NULL REFERENCES subject(id),
        PRIMARY KEY (filing_id, subject_id)
      )`);
    await q.query(`CREATE INDEX filing_person_subject_idx ON filing_person (subject_id)`);

    await q.query(`
      CREATE TABLE early_disposal (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_id uuid NOT NULL REFERENCES subject(id),
        relationship_kind text NOT NULL CHECK (relationship_kind IN ('employee', 'dependent', 'payee')),
        left_on date NOT NULL,
        filings_done_on date NOT NULL,
        note text,
        status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL,
        decided_by uuid,
        decided_at timestamptz,
        decision_reason text,
        CHECK ((status = 'pending') = (decided_by IS NULL))
      )`);
    await q.query(`CREATE INDEX early_disposal_subject_idx ON early_disposal (subject_id, status)`);
    await q.query(`CREATE UNIQUE INDEX early_disposal_one_pending ON early_disposal (subject_id, relationship_kind) WHERE status = 'pending'`);

    await q.query(`ALTER TABLE retention_schedule ADD COLUMN review_on date`);
    await q.query(`CREATE INDEX retention_schedule_review_idx ON retention_schedule (review_on) WHERE review_on IS NOT NULL`);
    await q.query(`
      CREATE TABLE matter_review (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_id uuid NOT NULL REFERENCES subject(id),
        due_on date NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'confirmed', 'closed', 'withdrawn')),
        raised_at timestamptz NOT NULL,
        raised_by text NOT NULL,
        decided_by uuid,
        decided_at timestamptz,
        reason text,
        next_review_on date
      )`);
    await q.query(`CREATE UNIQUE INDEX matter_review_one_open ON matter_review (subject_id) WHERE status = 'open'`);
    await q.query(`CREATE INDEX matter_review_status_idx ON matter_review (status, due_on)`);
    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('mynumber.app_role', true), ''), 'mynumber_app');
      BEGIN
        EXECUTE format('REVOKE DELETE, TRUNCATE ON early_disposal, matter_review FROM %I', app);
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE matter_review`);
    await q.query(`ALTER TABLE retention_schedule DROP COLUMN review_on`);
    await q.query(`DROP TABLE early_disposal`);
    await q.query(`DROP TABLE filing_person`);
    await q.query(`ALTER TABLE filing DROP CONSTRAINT filing_dates_bounded`);
    await q.query(`UPDATE filing SET tax_year = tax_year - 1
       WHERE document_type = 'dependents-declaration' AND tax_year IS NOT NULL
         AND submitted_at IS NOT NULL AND extract(year FROM submitted_at) = tax_year - 1 AND extract(month FROM submitted_at) >= 10`);
    await q.query(`ALTER TABLE filing RENAME COLUMN tax_year TO fiscal_year`);
  }
}
