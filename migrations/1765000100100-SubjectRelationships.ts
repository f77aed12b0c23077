import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #14: one person, several relationships (employee, 配偶者・扶養親族 of an employee, payee).
 *
 * - subject_relationship: every relationship that justifies holding the person's number. Each
 *   existing person gets one, marked primary, from its own kind, employee, hire and leave dates;
 *   the subject row's columns stay and mirror the primary relationship, so every existing API
 *   keeps working. More relationships are added to the same person (the number is stored once).
 * - subject_purpose.relationship_id: purposes are notified per relationship; existing notices
 *   belong to the primary relationship. The reveal check (told of this purpose, under any
 *   relationship) keeps one index lookup on (subject_id, purpose).
 * - number_request: 未提供, each request for the number (date, means, answer), so a person who
 *   refused or has not yet given it is told apart from one whose number was disposed of.
 * - Date columns are bounded to 1900-01-01..2200-12-31.
 */
export class SubjectRelationships1765000100100 implements MigrationInterface {
  name = 'SubjectRelationships1765000100100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subject_relationship (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_id uuid NOT NULL REFERENCES subject(id),
        kind text NOT NULL CHECK (kind IN ('employee', 'dependent', 'payee')),
        employee_id uuid REFERENCES subject(id),
        started_at date CHECK (started_at BETWEEN '1900-01-01' AND '2200-12-31'),
        ended_at date CHECK (ended_at BETWEEN '1900-01-01' AND '2200-12-31'),
        is_primary boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'dependent') = (employee_id IS NOT NULL)),
        CHECK (employee_id IS DISTINCT FROM subject_id),
        CHECK (ended_at IS NULL OR started_at IS NULL OR ended_at >= started_at)
      )`);
    await q.query(`CREATE UNIQUE INDEX subject_relationship_one_primary ON subject_relationship (subject_id) WHERE is_primary`);
    await q.query(`CREATE INDEX subject_relationship_subject_idx ON subject_relationship (subject_id, kind)`);
    await q.query(`CREATE INDEX subject_relationship_employee_idx ON subject_relationship (employee_id) WHERE employee_id IS NOT NULL`);
    await q.query(`
      INSERT INTO subject_relationship (subject_id, kind, employee_id, started_at, ended_at, is_primary, created_at, updated_at)
      SELECT id, kind, employee_id,
             CASE WHEN hired_at BETWEEN '1900-01-01' AND '2200-12-31' THEN hired_at END,
             CASE WHEN left_at BETWEEN '1900-01-01' AND '2200-12-31' THEN left_at WHEN left_at IS NOT NULL THEN '2200-12-31'::date END,
             true, created_at, updated_at
        FROM subject`);

    await q.query(`ALTER TABLE subject_purpose ADD COLUMN relationship_id uuid REFERENCES subject_relationship(id)`);
    await q.query(`
      UPDATE subject_purpose sp SET relationship_id = r.id
        FROM subject_relationship r WHERE r.subject_id = sp.subject_id AND r.is_primary`);
    await q.query(`ALTER TABLE subject_purpose ALTER COLUMN relationship_id SET NOT NULL`);
    await q.query(`ALTER TABLE subject_purpose DROP CONSTRAINT subject_purpose_pkey`);
    await q.query(`ALTER TABLE subject_purpose ADD PRIMARY KEY (subject_id, relationship_id, purpose)`);
    await q.query(`CREATE INDEX subject_purpose_lookup_idx ON subject_purpose (subject_id, purpose)`);

    await q.query(`
      CREATE TABLE number_request (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_id uuid NOT NULL REFERENCES subject(id),
        requested_on date NOT NULL CHECK (requested_on BETWEEN '1900-01-01' AND '2200-12-31'),
        means text NOT NULL CHECK (means IN ('in-person', 'document', 'mail', 'email', 'phone', 'other')),
        answer text NOT NULL CHECK (answer IN ('no-answer', 'refused', 'will-provide')),
        note text,
        recorded_by uuid NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX number_request_subject_idx ON number_request (subject_id, requested_on)`);
    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('mynumber.app_role', true), ''), 'mynumber_app');
      BEGIN
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON number_request FROM %I', app);
      END $$;
    `);
    await q.query(`ALTER TABLE subject ADD CONSTRAINT subject_dates_bounded CHECK (
      (hired_at IS NULL OR hired_at BETWEEN '1900-01-01' AND '2200-12-31') AND (left_at IS NULL OR left_at BETWEEN '1900-01-01' AND '2200-12-31')) NOT VALID`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subject DROP CONSTRAINT subject_dates_bounded`);
    await q.query(`DROP TABLE number_request`);
    await q.query(`DROP INDEX subject_purpose_lookup_idx`);
    await q.query(`DELETE FROM subject_purpose sp USING subject_relationship r WHERE r.id = sp.relationship_id AND NOT r.is_primary`);
    await q.query(`ALTER TABLE subject_purpose DROP CONSTRAINT subject_purpose_pkey`);
    await q.query(`ALTER TABLE subject_purpose ADD PRIMARY KEY (subject_id, purpose)`);
    await q.query(`ALTER TABLE subject_purpose DROP COLUMN relationship_id`);
    await q.query(`DROP TABLE subject_relationship`);
  }
}
