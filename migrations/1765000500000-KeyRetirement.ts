import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * KEK retirement (issue #18): an admin retires an old key-encryption key version once no data
 * key uses it; the version is destroyed in the keystore after KEY_RETIREMENT_DELAY_DAYS (the
 * backup retention), so restores within that window still work and older backups are
 * crypto-erased afterwards. The application role may not delete a row (the history stays).
 */
export class KeyRetirement1765000500000 implements MigrationInterface {
  name = 'KeyRetirement1765000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE key_version_retirement (
        version integer PRIMARY KEY CHECK (version >= 1),
        retired_at timestamptz NOT NULL,
        retired_by uuid,
        retired_by_username text NOT NULL,
        destroy_after timestamptz NOT NULL,
        destroyed_at timestamptz,
        CHECK (destroy_after >= retired_at)
      )`);
    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('mynumber.app_role', true), ''), 'mynumber_app');
      BEGIN
        EXECUTE format('REVOKE DELETE ON key_version_retirement FROM %I', app);
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE key_version_retirement');
  }
}
