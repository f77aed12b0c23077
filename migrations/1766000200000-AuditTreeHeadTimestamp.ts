import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * RFC 3161 timestamps of the daily tree head (issue #17, AUDIT_TSA_URL): the token a timestamp
 * authority signed over the head's signed text (audit-tree-head.ts treeHeadBytes), kept with the
 * head. Append-only like the rest of the trail; the application role may SELECT and INSERT.
 */
export class AuditTreeHeadTimestamp1766000200000 implements MigrationInterface {
  name = 'AuditTreeHeadTimestamp1766000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_tree_head_timestamp (
        tree_size bigint PRIMARY KEY REFERENCES audit_tree_head (tree_size),
        token bytea NOT NULL,
        gen_time timestamptz NOT NULL,
        tsa_url text NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_tree_head_timestamp_gen_time_idx ON audit_tree_head_timestamp (gen_time DESC)`);
    await q.query(
      `CREATE TRIGGER audit_tree_head_timestamp_no_change BEFORE UPDATE OR DELETE ON audit_tree_head_timestamp FOR EACH ROW EXECUTE FUNCTION audit_append_only()`,
    );
    await q.query(
      `CREATE TRIGGER audit_tree_head_timestamp_no_truncate BEFORE TRUNCATE ON audit_tree_head_timestamp FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`,
    );
    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('mynumber.app_role', true), ''), 'mynumber_app');
      BEGIN
        EXECUTE format('REVOKE ALL ON audit_tree_head_timestamp FROM %I', app);
        EXECUTE format('GRANT SELECT, INSERT ON audit_tree_head_timestamp TO %I', app);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_tree_head_timestamp`);
  }
}
