import { MigrationInterface, QueryRunner } from 'typeorm';

/** Only ciphertext, a wrapped data key and a blind index: no column can hold plaintext digits. */
export class SubjectNumbers1763900000200 implements MigrationInterface {
  name = 'SubjectNumbers1763900000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subject_number (
        subject_id uuid PRIMARY KEY REFERENCES subject(id),
        record_id uuid NOT NULL UNIQUE,
        ciphertext bytea NOT NULL,
        wrapped_key bytea NOT NULL,
        key_version integer NOT NULL,
        blind_index bytea NOT NULL UNIQUE,
        identity_check jsonb NOT NULL,
        stored_by uuid NOT NULL,
        stored_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX subject_number_key_version_idx ON subject_number (key_version)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subject_number`);
  }
}
