import { MigrationInterface, QueryRunner } from 'typeorm';

/** Encrypted exports (issue #19): an outside firm's OpenPGP public key, the recipient of its exports. */
export class FirmRecipientKey1765000600200 implements MigrationInterface {
  name = 'FirmRecipientKey1765000600200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE outside_firm ADD COLUMN recipient_key text, ADD COLUMN recipient_key_fingerprint text, ADD COLUMN recipient_key_set_at timestamptz`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outside_firm DROP COLUMN recipient_key, DROP COLUMN recipient_key_fingerprint, DROP COLUMN recipient_key_set_at`);
  }
}
