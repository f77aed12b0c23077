import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention: filings that justify keeping a number, each person's computed disposal due date,
 * disposal alarms and disposal records (削除・廃棄記録).
 *
 * - disposal_alarm: at most one *active* (open or postponed) alarm per person, enforced by a
 *   partial unique index, so the queue job, the sweep and a second instance can all try to
 *   raise the same alarm and exactly one row results.
 * - disposal_record: holds no number (no column could); the application role may only INSERT
 *   and SELECT it, so a deletion record cannot itself be deleted or altered.
 */
export class Retention1763900000600 implements MigrationInterface {
  name = 'Retention1763900000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE filing (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_id uuid NOT NULL REFERENCES subject(id),
        document_type text NOT NULL,
        fiscal_year integer CHECK (fiscal_year BETWEEN 1990 AND 2200),
        submitted_at date,
        closed_at date,
        recorded_by uuid,
        recorded_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX filing_subject_idx ON filing (subject_id, recorded_at)`);

    await q.query(`
      CREATE TABLE retention_schedule (
        subject_id uuid PRIMARY KEY REFERENCES subject(id),
        due_on date,
        rule text,
        reason text NOT NULL CHECK (reason IN ('due', 'not-left', 'matter-open', 'unknown-rule')),
        left_on date,
        computed_at timestamptz NOT NULL,
        disposed_at timestamptz
      )`);
    // the sweep: due people not yet disposed of
    await q.query(`CREATE INDEX retention_schedule_due_idx ON retention_schedule (due_on) WHERE due_on IS NOT NULL AND disposed_at IS NULL`);

    await q.query(`
      CREATE TABLE disposal_alarm (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_id uuid NOT NULL REFERENCES subject(id),
        due_on date NOT NULL,
        rule text,
        status text NOT NULL CHECK (status IN ('open', 'postponed', 'disposed', 'withdrawn')),
        raised_at timestamptz NOT NULL,
        raised_by text NOT NULL,
        postponed_until timestamptz,
        postpone_reason text,
        postponed_by uuid,
        reopened_at timestamptz,
        closed_at timestamptz,
        disposal_id uuid,
        CHECK ((status = 'postponed') = (postponed_until IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX disposal_alarm_one_active ON disposal_alarm (subject_id) WHERE status IN ('open', 'postponed')`);
    await q.query(`CREATE INDEX disposal_alarm_status_idx ON disposal_alarm (status, due_on, id)`);
    await q.query(`CREATE INDEX disposal_alarm_subject_idx ON disposal_alarm (subject_id)`);

    await q.query(`
      CREATE TABLE disposal_record (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        alarm_id uuid NOT NULL REFERENCES disposal_alarm(id),
        subject_id uuid NOT NULL REFERENCES subject(id),
        subject_code text NOT NULL,
        subject_kind text NOT NULL,
        rule text,
        basis text,
        due_on date NOT NULL,
        disposed_at timestamptz NOT NULL,
        disposed_by uuid NOT NULL,
        disposed_by_username text NOT NULL,
        approved_by uuid NOT NULL,
        approved_by_username text NOT NULL,
        method text NOT NULL,
        number_was_on_file boolean NOT NULL,
        note text,
        batch_id uuid
      )`);
    await q.query(`CREATE INDEX disposal_record_at_idx ON disposal_record (disposed_at, id)`);
    await q.query(`CREATE INDEX disposal_record_subject_idx ON disposal_record (subject_id)`);

    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('mynumber.app_role', true), ''), 'mynumber_app');
      BEGIN
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON disposal_record FROM %I', app);
        EXECUTE format('REVOKE DELETE, TRUNCATE ON disposal_alarm FROM %I', app);
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE disposal_record`);
    await q.query(`DROP TABLE disposal_alarm`);
    await q.query(`DROP TABLE retention_schedule`);
    await q.query(`DROP TABLE filing`);
  }
}
