import { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue #19: an outside firm may register an age X25519 recipient (age1…) beside, or instead of, an OpenPGP key. */
export class FirmAgeRecipient1767000100000 implements MigrationInterface {
  name = 'FirmAgeRecipient1767000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outside_firm
        ADD COLUMN age_recipient text CHECK (age_recipient ~ '^age1[02-9ac-hj-np-z]{58}$'),
        ADD COLUMN age_recipient_set_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outside_firm DROP COLUMN age_recipient, DROP COLUMN age_recipient_set_at`);
  }
}
