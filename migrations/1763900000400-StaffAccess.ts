import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Staff access: accounts (users module), their recovery codes, and the auth module's
 * login challenges and sessions. The app role gets plain read/write through the default
 * privileges set in AppRole; nothing here needs extra grants.
 */
export class StaffAccess1763900000400 implements MigrationInterface {
  name = 'StaffAccess1763900000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE staff_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL CHECK (username = lower(username) AND username ~ '^[a-z][a-z0-9._-]{2,31}$'),
        display_name text NOT NULL,
        roles text[] NOT NULL DEFAULT '{}' CHECK (roles <@ ARRAY['clerk', 'auditor', 'admin']::text[]),
        password_hash text NOT NULL,
        must_change_password boolean NOT NULL DEFAULT true,
        password_changed_at timestamptz,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
        deactivated_at timestamptz,
        deactivation_reason text,
        deactivated_by uuid,
        totp_ciphertext bytea,
        totp_wrapped_key bytea,
        totp_key_version integer,
        totp_enrolled_at timestamptz,
        last_totp_step bigint,
        failed_attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        lockout_count integer NOT NULL DEFAULT 0,
        last_login_at timestamptz,
        training_version text,
        training_acknowledged_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        CONSTRAINT staff_user_username_key UNIQUE (username),
        CHECK ((status = 'deactivated') = (deactivated_at IS NOT NULL)),
        CHECK ((totp_ciphertext IS NULL) = (totp_wrapped_key IS NULL) AND (totp_wrapped_key IS NULL) = (totp_key_version IS NULL)),
        CHECK (totp_enrolled_at IS NULL OR totp_ciphertext IS NOT NULL)
      )`);
    // The "last active admin" rule and the dormant-account review read these.
    await q.query(`CREATE INDEX staff_user_active_admin_idx ON staff_user (id) WHERE status = 'active' AND 'admin' = ANY (roles)`);

    await q.query(`
      CREATE TABLE staff_recovery_code (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES staff_user(id) ON DELETE CASCADE,
        code_hash bytea NOT NULL,
        created_at timestamptz NOT NULL,
        used_at timestamptz,
        CONSTRAINT staff_recovery_code_user_hash_key UNIQUE (user_id, code_hash)
      )`);

    await q.query(`
      CREATE TABLE auth_challenge (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash bytea NOT NULL,
        user_id uuid NOT NULL REFERENCES staff_user(id) ON DELETE CASCADE,
        stage text NOT NULL CHECK (stage IN ('change-password', 'enrol', 'totp')),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT auth_challenge_token_hash_key UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX auth_challenge_user_idx ON auth_challenge (user_id)`);
    await q.query(`CREATE INDEX auth_challenge_expires_idx ON auth_challenge (expires_at)`);

    // resolve() reads a session by token hash joined to its user: one unique-index lookup.
    await q.query(`
      CREATE TABLE auth_session (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash bytea NOT NULL,
        user_id uuid NOT NULL REFERENCES staff_user(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        step_up_at timestamptz,
        client_address text,
        CONSTRAINT auth_session_token_hash_key UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX auth_session_user_idx ON auth_session (user_id)`);
    await q.query(`CREATE INDEX auth_session_expires_idx ON auth_session (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth_session`);
    await q.query(`DROP TABLE auth_challenge`);
    await q.query(`DROP TABLE staff_recovery_code`);
    await q.query(`DROP TABLE staff_user`);
  }
}
