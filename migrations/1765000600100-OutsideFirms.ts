import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outside firms (委託先, 番号法11条; issue #19): the contract (name, scope, purposes, dates, the
 * supervision checklist) and the access window; a staff account may belong to one firm.
 */
export class OutsideFirms1765000600100 implements MigrationInterface {
  name = 'OutsideFirms1765000600100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outside_firm (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('labor-consultant', 'tax-accountant', 'payroll-bureau', 'other')),
        scope text NOT NULL,
        purposes text[] NOT NULL CHECK (cardinality(purposes) > 0),
        contract_starts_on date NOT NULL,
        contract_ends_on date NOT NULL,
        access_from timestamptz NOT NULL,
        access_until timestamptz NOT NULL,
        checklist jsonb NOT NULL DEFAULT '[]',
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (contract_ends_on >= contract_starts_on),
        CHECK (access_until > access_from)
      )`);
    await q.query(`ALTER TABLE staff_user ADD COLUMN firm_id uuid REFERENCES outside_firm(id)`);
    await q.query(`CREATE INDEX staff_user_firm_idx ON staff_user (firm_id) WHERE firm_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE staff_user DROP COLUMN firm_id`);
    await q.query(`DROP TABLE outside_firm`);
  }
}
