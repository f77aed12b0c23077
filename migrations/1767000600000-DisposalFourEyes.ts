import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #19: a disposal record says how it was approved: by a second person (`approved`), alone
 * under a recorded four-eyes waiver (`waived`, with the waiver's reason: flagged to auditors), or
 * with no four-eyes policy set up (`not-configured`). Records written before this change keep
 * NULL (not recorded); their audit entries (number.disposed) still carry fourEyes.
 */
export class DisposalFourEyes1767000600000 implements MigrationInterface {
  name = 'DisposalFourEyes1767000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE disposal_record
        ADD COLUMN four_eyes text CHECK (four_eyes IN ('approved', 'waived', 'not-configured')),
        ADD COLUMN waiver_reason text,
        ADD COLUMN approval_id uuid,
        ADD CONSTRAINT disposal_record_waiver_reason CHECK (four_eyes IS DISTINCT FROM 'waived' OR waiver_reason IS NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE disposal_record DROP CONSTRAINT disposal_record_waiver_reason, DROP COLUMN four_eyes, DROP COLUMN waiver_reason, DROP COLUMN approval_id`,
    );
  }
}
