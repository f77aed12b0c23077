import { MigrationInterface, QueryRunner } from 'typeorm';

export class Subjects1763900000100 implements MigrationInterface {
  name = 'Subjects1763900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subject (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('employee', 'dependent', 'payee')),
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        name_kana text,
        employee_id uuid REFERENCES subject(id),
        hired_at date,
        left_at date,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'dependent') = (employee_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX subject_kind_idx ON subject (kind, code)`);
    await q.query(`CREATE INDEX subject_employee_idx ON subject (employee_id) WHERE employee_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE subject_purpose (
        subject_id uuid NOT NULL REFERENCES subject(id),
        purpose text NOT NULL,
        notified_at timestamptz NOT NULL,
        recorded_by uuid,
        PRIMARY KEY (subject_id, purpose)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subject_purpose`);
    await q.query(`DROP TABLE subject`);
  }
}
