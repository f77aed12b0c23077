import { MigrationInterface, QueryRunner } from 'typeorm';

/** The trail itself. Append-only rights and the sealing trigger come in the next audit migration. */
export class AuditEntries1763900000300 implements MigrationInterface {
  name = 'AuditEntries1763900000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_entry (
        seq bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        actor_id uuid,
        actor_username text,
        actor_roles text[] NOT NULL DEFAULT '{}',
        action text NOT NULL,
        subject_id uuid,
        purpose text,
        outcome text NOT NULL CHECK (outcome IN ('success', 'refused', 'failure')),
        request_id text,
        client_address text,
        details jsonb NOT NULL DEFAULT '{}',
        hash bytea
      )`);
    await q.query(`CREATE INDEX audit_entry_actor_idx ON audit_entry (actor_id, seq)`);
    await q.query(`CREATE INDEX audit_entry_subject_idx ON audit_entry (subject_id, seq)`);
    await q.query(`CREATE INDEX audit_entry_action_idx ON audit_entry (action, seq)`);
    await q.query(`CREATE INDEX audit_entry_at_idx ON audit_entry (at)`);
    await q.query(`CREATE INDEX audit_entry_unsealed_idx ON audit_entry (seq) WHERE hash IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_entry`);
  }
}
