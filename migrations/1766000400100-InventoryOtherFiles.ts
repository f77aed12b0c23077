import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 特定個人情報ファイル管理台帳 (issue #19): the files the vault does not hold but the company keeps
 * (paper 扶養控除等申告書, the payroll system, exports handed to a firm). The vault's own files are
 * generated from its data; these rows are entered by the admin or the responsible person.
 */
export class InventoryOtherFiles1766000400100 implements MigrationInterface {
  name = 'InventoryOtherFiles1766000400100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inventory_other_file (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        medium text NOT NULL CHECK (medium IN ('paper', 'electronic')),
        purposes text[] NOT NULL DEFAULT '{}',
        items text NOT NULL,
        department text NOT NULL,
        location text NOT NULL,
        access text NOT NULL,
        retention text NOT NULL,
        disposal_method text,
        note text,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
        created_by_username text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inventory_other_file`);
  }
}
