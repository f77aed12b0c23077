import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Collection links (issue #15): employees hand in their own numbers (and their dependents') from
 * a phone; a clerk reviews.
 *
 * - collection_request: one link per person; only the SHA-256 of its token is stored. At most one
 *   active (open or submitted) request per person.
 * - collection_submission: what came through a link, waiting for review. Its numbers sit in
 *   collection_entry encrypted exactly like subject_number (own data key, wrapped by the KEK,
 *   GCM additional data naming the row), with a blind index to flag a number already on file.
 * - collection_image: the identity-document photos, metadata stripped, each encrypted under its
 *   own data key; deleted after review (unless COLLECTION_KEEP_IMAGES).
 * On approval or return the entries' ciphertexts are wiped (set NULL): the number then lives only
 * in subject_number.
 */
export class Collection1765000200000 implements MigrationInterface {
  name = 'Collection1765000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE collection_request (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_id uuid NOT NULL REFERENCES subject(id),
        token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
        status text NOT NULL CHECK (status IN ('open', 'submitted', 'approved', 'cancelled')),
        expires_at timestamptz NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL,
        issued_at timestamptz NOT NULL,
        mailed_at timestamptz,
        started_at timestamptz,
        submitted_at timestamptz,
        closed_at timestamptz,
        return_reason text
      )`);
    await q.query(`CREATE UNIQUE INDEX collection_request_active_idx ON collection_request (subject_id) WHERE status IN ('open', 'submitted')`);
    await q.query(`CREATE INDEX collection_request_status_idx ON collection_request (status, created_at)`);

    await q.query(`
      CREATE TABLE collection_submission (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid NOT NULL REFERENCES collection_request(id),
        subject_id uuid NOT NULL REFERENCES subject(id),
        status text NOT NULL CHECK (status IN ('waiting', 'approved', 'returned')),
        acknowledged_at timestamptz NOT NULL,
        purposes text[] NOT NULL,
        number_document text,
        identity_documents text[] NOT NULL DEFAULT '{}',
        submitted_at timestamptz NOT NULL,
        client_address text,
        reviewed_by uuid,
        reviewed_at timestamptz,
        return_reason text,
        images_deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX collection_submission_status_idx ON collection_submission (status, submitted_at)`);
    await q.query(`CREATE INDEX collection_submission_request_idx ON collection_submission (request_id)`);

    await q.query(`
      CREATE TABLE collection_entry (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        submission_id uuid NOT NULL REFERENCES collection_submission(id) ON DELETE CASCADE,
        position integer NOT NULL,
        relation text NOT NULL CHECK (relation IN ('self', 'dependent')),
        name text,
        name_kana text,
        relationship text,
        number_document text,
        identity_documents text[] NOT NULL DEFAULT '{}',
        ciphertext bytea,
        wrapped_key bytea,
        key_version integer,
        blind_index bytea,
        not_provided_reason text,
        duplicate boolean NOT NULL DEFAULT false,
        stored_subject_id uuid,
        UNIQUE (submission_id, position),
        CHECK ((ciphertext IS NULL) = (wrapped_key IS NULL))
      )`);

    await q.query(`
      CREATE TABLE collection_image (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        submission_id uuid NOT NULL REFERENCES collection_submission(id) ON DELETE CASCADE,
        document text NOT NULL,
        side text NOT NULL,
        content_type text NOT NULL,
        bytes integer NOT NULL,
        ciphertext bytea NOT NULL,
        wrapped_key bytea NOT NULL,
        key_version integer NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX collection_image_submission_idx ON collection_image (submission_id)`);
    await q.query(`CREATE INDEX collection_entry_blind_idx ON collection_entry (blind_index) WHERE blind_index IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE collection_image');
    await q.query('DROP TABLE collection_entry');
    await q.query('DROP TABLE collection_submission');
    await q.query('DROP TABLE collection_request');
  }
}
