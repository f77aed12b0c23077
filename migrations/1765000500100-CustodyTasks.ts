import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Key custody (issue #18): tasks for admins, such as "re-issue the unseal shares" when a share
 * holder's account is deactivated. Closed by the rekey that replaces the shares.
 */
export class CustodyTasks1765000500100 implements MigrationInterface {
  name = 'CustodyTasks1765000500100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE custody_task (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('rekey')),
        user_id uuid NOT NULL,
        username text NOT NULL,
        reason text NOT NULL,
        opened_at timestamptz NOT NULL,
        closed_at timestamptz,
        closed_by text
      )`);
    await q.query(`CREATE UNIQUE INDEX custody_task_open_idx ON custody_task (kind, user_id) WHERE closed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE custody_task');
  }
}
