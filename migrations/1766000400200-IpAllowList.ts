import { MigrationInterface, QueryRunner } from 'typeorm';

/** IP allow-list per role (issue #19): addresses (CIDR) a role's accounts may use the API from; no row = anywhere. */
export class IpAllowList1766000400200 implements MigrationInterface {
  name = 'IpAllowList1766000400200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ip_allow_list (
        role text PRIMARY KEY CHECK (role IN ('clerk', 'auditor', 'admin', 'responsible')),
        cidrs text[] NOT NULL CHECK (cardinality(cidrs) > 0),
        set_by_username text NOT NULL,
        set_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ip_allow_list`);
  }
}
