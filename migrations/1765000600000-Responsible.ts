import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 事務取扱責任者 (issue #19): the `responsible` role, roles waiting for the responsible person's
 * approval (a new clerk), the four-eyes policy (required, or waived with a recorded reason) and
 * approval requests (a disposal asked for by one person, approved by another).
 */
export class Responsible1765000600000 implements MigrationInterface {
  name = 'Responsible1765000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE staff_user DROP CONSTRAINT IF EXISTS staff_user_roles_check`);
    await q.query(`ALTER TABLE staff_user ADD CONSTRAINT staff_user_roles_check CHECK (roles <@ ARRAY['clerk', 'auditor', 'admin', 'responsible']::text[])`);
    await q.query(`
      ALTER TABLE staff_user
        ADD COLUMN pending_roles text[] NOT NULL DEFAULT '{}' CHECK (pending_roles <@ ARRAY['clerk', 'auditor', 'admin', 'responsible']::text[]),
        ADD COLUMN roles_requested_by uuid,
        ADD COLUMN roles_requested_at timestamptz`);
    await q.query(`
      CREATE TABLE approval_policy (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        four_eyes text NOT NULL CHECK (four_eyes IN ('required', 'waived')),
        reason text,
        set_by uuid NOT NULL,
        set_by_username text NOT NULL,
        set_at timestamptz NOT NULL,
        CHECK (four_eyes = 'required' OR reason IS NOT NULL)
      )`);
    await q.query(`
      CREATE TABLE approval_request (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        target_id uuid,
        payload jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
        requested_by uuid NOT NULL,
        requested_by_username text NOT NULL,
        requested_at timestamptz NOT NULL,
        decided_by uuid,
        decided_by_username text,
        decided_at timestamptz,
        decision_note text,
        self_approved boolean NOT NULL DEFAULT false,
        CHECK ((status = 'pending') = (decided_at IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX approval_request_one_pending ON approval_request (kind, target_id) WHERE status = 'pending' AND target_id IS NOT NULL`);
    await q.query(`CREATE INDEX approval_request_status_idx ON approval_request (status, requested_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE approval_request`);
    await q.query(`DROP TABLE approval_policy`);
    await q.query(`ALTER TABLE staff_user DROP COLUMN pending_roles, DROP COLUMN roles_requested_by, DROP COLUMN roles_requested_at`);
    await q.query(`ALTER TABLE staff_user DROP CONSTRAINT staff_user_roles_check`);
    await q.query(`ALTER TABLE staff_user ADD CONSTRAINT staff_user_roles_check CHECK (roles <@ ARRAY['clerk', 'auditor', 'admin']::text[])`);
  }
}
