import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Makes the audit trail append-only and adds the tables the sealer and the auditors write:
 *
 * - audit_checkpoint: signed statements "the chain up to entry N ends in hash H" (one per
 *   sealing round; last_seq is unique, so two sealers can never record two heads for one entry);
 * - audit_review: auditors' sign-offs ("reviewed up to entry N").
 *
 * The application role may only INSERT and SELECT these tables, and may UPDATE just the
 * `hash` column of audit_entry (the sealer). It may not insert a hash. Triggers reject every
 * UPDATE, DELETE and TRUNCATE, for every role including the owner, except the sealer filling
 * an entry's hash once with nothing else changed. Only disabling the triggers (owner or
 * superuser) gets past them, and the hash chain shows what was done then.
 */
export class AuditSealing1763900000500 implements MigrationInterface {
  name = 'AuditSealing1763900000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_checkpoint (
        id bigserial PRIMARY KEY,
        last_seq bigint NOT NULL UNIQUE CHECK (last_seq > 0),
        head_hash bytea NOT NULL CHECK (length(head_hash) = 32),
        signed_at timestamptz NOT NULL,
        signature bytea NOT NULL,
        cert_sha256 text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE audit_review (
        id bigserial PRIMARY KEY,
        reviewer_id uuid NOT NULL,
        reviewer_username text NOT NULL,
        up_to_seq bigint NOT NULL CHECK (up_to_seq > 0),
        note text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`ALTER TABLE audit_entry ADD CONSTRAINT audit_entry_hash_length CHECK (hash IS NULL OR length(hash) = 32)`);
    // unusual-use alerts look at one action over a time window
    await q.query(`CREATE INDEX audit_entry_action_at_idx ON audit_entry (action, at)`);

    await q.query(`
      CREATE FUNCTION audit_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE probe audit_entry;
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL THEN
          probe := NEW;
          probe.hash := NULL;
          IF probe IS NOT DISTINCT FROM OLD THEN
            RETURN NEW; -- the sealer filling the hash once, nothing else changed
          END IF;
        END IF;
        RAISE EXCEPTION 'audit_entry is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry FOR EACH ROW EXECUTE FUNCTION audit_entry_guard()`);
    for (const table of ['audit_entry', 'audit_checkpoint', 'audit_review']) {
      const rowOps = table === 'audit_entry' ? 'DELETE' : 'UPDATE OR DELETE';
      await q.query(`CREATE TRIGGER ${table}_no_change BEFORE ${rowOps} ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_append_only()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`);
    }

    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('mynumber.app_role', true), ''), 'mynumber_app');
      BEGIN
        EXECUTE format('REVOKE ALL ON audit_entry, audit_checkpoint, audit_review FROM %I', app);
        EXECUTE format('GRANT SELECT ON audit_entry, audit_checkpoint, audit_review TO %I', app);
        EXECUTE format('GRANT INSERT (seq, at, actor_id, actor_username, actor_roles, action, subject_id, purpose, outcome,
                               request_id, client_address, details) ON audit_entry TO %I', app);
        EXECUTE format('GRANT UPDATE (hash) ON audit_entry TO %I', app);
        EXECUTE format('GRANT INSERT ON audit_checkpoint, audit_review TO %I', app);
        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE audit_entry_seq_seq, audit_checkpoint_id_seq, audit_review_id_seq TO %I', app);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_review`);
    await q.query(`DROP TABLE audit_checkpoint`);
    await q.query(`DROP TRIGGER audit_entry_no_update ON audit_entry`);
    await q.query(`DROP TRIGGER audit_entry_no_change ON audit_entry`);
    await q.query(`DROP TRIGGER audit_entry_no_truncate ON audit_entry`);
    await q.query(`DROP FUNCTION audit_entry_guard()`);
    await q.query(`DROP FUNCTION audit_append_only()`);
    await q.query(`DROP INDEX audit_entry_action_at_idx`);
    await q.query(`ALTER TABLE audit_entry DROP CONSTRAINT audit_entry_hash_length`);
    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('mynumber.app_role', true), ''), 'mynumber_app');
      BEGIN
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON audit_entry TO %I', app);
      END $$`);
  }
}
