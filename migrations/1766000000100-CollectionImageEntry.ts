import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dependents' identity-document photos (issue #15, `dependentPhotos` in config/collection-notice.json):
 * each photo names the entry it belongs to (0 = the submitter, 1… = the dependents in order).
 * Existing photos are all the submitter's, hence the default.
 */
export class CollectionImageEntry1766000000100 implements MigrationInterface {
  name = 'CollectionImageEntry1766000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE collection_image ADD COLUMN entry_position integer NOT NULL DEFAULT 0 CHECK (entry_position BETWEEN 0 AND 10)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE collection_image DROP COLUMN entry_position`);
  }
}
