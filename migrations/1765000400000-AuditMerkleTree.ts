import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Merkle tree over the audit trail (issue #17, RFC 9162):
 *
 * - audit_tree_node: every complete subtree the sealer has made, named (level, idx): it covers
 *   leaves [idx * 2^level, (idx + 1) * 2^level); level 0 holds the leaf hashes. Proofs and roots
 *   for any size are combinations of these rows.
 * - audit_tree_head: signed tree heads (size, root, time, signature), at least one per sealing
 *   round. tree_size is the primary key, so two sealers can never sign two roots for one size.
 * - audit_witness_receipt: which witness accepted which head when (the auditor console shows the
 *   age of the newest; verification reads the witnesses themselves, never these rows).
 *
 * Both are append-only like the rest of the trail (audit_append_only() from AuditSealing). The
 * application role gets SELECT and INSERT, granted here explicitly (not through default
 * privileges, which would also give it UPDATE and DELETE).
 */
export class AuditMerkleTree1765000400000 implements MigrationInterface {
  name = 'AuditMerkleTree1765000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_tree_node (
        level smallint NOT NULL CHECK (level BETWEEN 0 AND 62),
        idx bigint NOT NULL CHECK (idx >= 0),
        hash bytea NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, idx)
      )`);
    await q.query(`
      CREATE TABLE audit_tree_head (
        tree_size bigint PRIMARY KEY CHECK (tree_size > 0),
        root_hash bytea NOT NULL CHECK (length(root_hash) = 32),
        signed_at timestamptz NOT NULL,
        signature bytea NOT NULL,
        cert_sha256 text NOT NULL
      )`);
    await q.query(`
      CREATE TABLE audit_witness_receipt (
        id bigserial PRIMARY KEY,
        witness text NOT NULL,
        tree_size bigint NOT NULL CHECK (tree_size > 0),
        root_hash bytea NOT NULL CHECK (length(root_hash) = 32),
        accepted_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_witness_receipt_witness_idx ON audit_witness_receipt (witness, accepted_at DESC)`);
    for (const table of ['audit_tree_node', 'audit_tree_head', 'audit_witness_receipt']) {
      await q.query(`CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_append_only()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`);
    }
    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('mynumber.app_role', true), ''), 'mynumber_app');
      BEGIN
        EXECUTE format('REVOKE ALL ON audit_tree_node, audit_tree_head, audit_witness_receipt FROM %I', app);
        EXECUTE format('GRANT SELECT, INSERT ON audit_tree_node, audit_tree_head, audit_witness_receipt TO %I', app);
        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE audit_witness_receipt_id_seq TO %I', app);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_witness_receipt`);
    await q.query(`DROP TABLE audit_tree_head`);
    await q.query(`DROP TABLE audit_tree_node`);
  }
}
