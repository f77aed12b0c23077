import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The application logs in as a restricted role (DATABASE_APP_ROLE, default mynumber_app):
 * plain read/write on ordinary tables, set up here as default privileges so later
 * migrations only need to take rights away (for example on the audit trail).
 * prepareDatabase() puts the role name in the session setting mynumber.app_role.
 */
export class AppRole1763900000000 implements MigrationInterface {
  name = 'AppRole1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('mynumber.app_role', true), ''), 'mynumber_app');
      BEGIN
        -- prepareDatabase() creates the login role before migrations run (issue #16); the owner
        -- never acts as it (the service logs in as it), so no membership is granted here.
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app) THEN
          EXECUTE format('CREATE ROLE %I NOLOGIN', app);
        END IF;
        EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', app);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', app);
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('mynumber.app_role', true), ''), 'mynumber_app');
      BEGIN
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM %I', app);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM %I', app);
        EXECUTE format('REVOKE USAGE ON SCHEMA public FROM %I', app);
      END $$;
    `);
  }
}
