import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { CollectionEntry } from './entities/collection-entry.entity';
import { CollectionImage } from './entities/collection-image.entity';
import { CollectionRequest, RequestStatus } from './entities/collection-request.entity';
import { CollectionSubmission, SubmissionStatus } from './entities/collection-submission.entity';

/** The collection module's SQL, in one place. Services hold the rules. */
@Injectable()
export class CollectionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  // --- requests ---

  async insertRequest(row: Omit<CollectionRequest, 'id'>, manager: EntityManager): Promise<CollectionRequest> {
    const saved = await manager.save(CollectionRequest, manager.create(CollectionRequest, row));
    return saved;
  }

  /** The active (open or submitted) request of each of these people. */
  async activeRequestsOf(subjectIds: string[], manager?: EntityManager): Promise<CollectionRequest[]> {
    if (subjectIds.length === 0) return [];
    return this.m(manager).find(CollectionRequest, { where: { subjectId: In(subjectIds), status: In(['open', 'submitted']) } });
  }

  async requestById(id: string, manager?: EntityManager, lock = false): Promise<CollectionRequest | null> {
    return this.m(manager).findOne(CollectionRequest, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  async requestByTokenHash(tokenHash: Buffer, manager?: EntityManager, lock = false): Promise<CollectionRequest | null> {
    return this.m(manager).findOne(CollectionRequest, {
      where: { tokenHash },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
  }

  async listRequests(status: RequestStatus | undefined, limit: number): Promise<CollectionRequest[]> {
    return this.dataSource.manager.find(CollectionRequest, {
      where: status ? { status } : {},
      order: { createdAt: 'DESC' },
      take: limit,
    });
  }

  async updateRequest(id: string, changes: Partial<CollectionRequest>, manager: EntityManager): Promise<void> {
    await manager.update(CollectionRequest, { id }, changes);
  }

  /** Marks the request used in the same statement that checks it is still open: one submission per link. */
  async claimForSubmission(id: string, now: Date, manager: EntityManager): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(CollectionRequest)
      .set({ status: 'submitted', submittedAt: now })
      .where('id = :id AND status = :open AND expires_at > :now', { id, open: 'open', now })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Records the first opening only (the audited "started" event is written once). */
  async markStarted(id: string, now: Date, manager: EntityManager): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(CollectionRequest)
      .set({ startedAt: now })
      .where('id = :id AND started_at IS NULL', { id })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  // --- submissions ---

  async insertSubmission(row: Omit<CollectionSubmission, 'id'> & { id: string }, manager: EntityManager): Promise<void> {
    await manager.insert(CollectionSubmission, row);
  }

  async insertEntries(rows: CollectionEntry[], manager: EntityManager): Promise<void> {
    if (rows.length) await manager.insert(CollectionEntry, rows);
  }

  async insertImages(rows: CollectionImage[], manager: EntityManager): Promise<void> {
    // one statement per photo: a single multi-row INSERT of several 10 MB values makes one huge query text
    for (const row of rows) await manager.insert(CollectionImage, row);
  }

  async submissionById(id: string, manager?: EntityManager, lock = false): Promise<CollectionSubmission | null> {
    return this.m(manager).findOne(CollectionSubmission, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  async listSubmissions(status: SubmissionStatus, limit: number): Promise<CollectionSubmission[]> {
    return this.dataSource.manager.find(CollectionSubmission, { where: { status }, order: { submittedAt: 'ASC' }, take: limit });
  }

  async updateSubmission(id: string, changes: Partial<CollectionSubmission>, manager: EntityManager): Promise<void> {
    await manager.update(CollectionSubmission, { id }, changes);
  }

  async entriesOf(submissionIds: string[], manager?: EntityManager): Promise<CollectionEntry[]> {
    if (submissionIds.length === 0) return [];
    return this.m(manager).find(CollectionEntry, { where: { submissionId: In(submissionIds) }, order: { position: 'ASC' } });
  }

  async updateEntry(id: string, changes: Partial<CollectionEntry>, manager?: EntityManager): Promise<void> {
    await this.m(manager).update(CollectionEntry, { id }, changes);
  }

  /** Wipes the submitted numbers of a reviewed submission: they now live only in subject_number (or nowhere). */
  async wipeEntryNumbers(submissionId: string, manager: EntityManager): Promise<void> {
    await manager.update(CollectionEntry, { submissionId }, { ciphertext: null, wrappedKey: null, keyVersion: null, blindIndex: null });
  }

  /** Photos without their bytes (lists). */
  async imagesOf(submissionIds: string[], manager?: EntityManager): Promise<CollectionImage[]> {
    if (submissionIds.length === 0) return [];
    return this.m(manager).find(CollectionImage, {
      where: { submissionId: In(submissionIds) },
      order: { createdAt: 'ASC', entryPosition: 'ASC', document: 'ASC', side: 'ASC' },
    });
  }

  /** One photo with its ciphertext. */
  async imageWithBytes(submissionId: string, imageId: string, manager?: EntityManager): Promise<CollectionImage | null> {
    return this.m(manager)
      .createQueryBuilder(CollectionImage, 'i')
      .addSelect(['i.ciphertext', 'i.wrappedKey'])
      .where('i.id = :imageId AND i.submission_id = :submissionId', { imageId, submissionId })
      .getOne();
  }

  async deleteImages(submissionId: string, manager: EntityManager): Promise<number> {
    const result = await manager.delete(CollectionImage, { submissionId });
    return result.affected ?? 0;
  }

  /** Kept photos (COLLECTION_KEEP_IMAGES) of a person's approved submissions, deleted at the number's disposal. */
  async deleteKeptImagesOf(subjectId: string, manager: EntityManager): Promise<{ submissionId: string; count: number }[]> {
    const rows: { submission_id: string; n: string }[] = await manager.query(
      `WITH gone AS (
         DELETE FROM collection_image i USING collection_submission s
          WHERE s.id = i.submission_id AND s.subject_id = $1
          RETURNING i.submission_id)
       SELECT submission_id, count(*) AS n FROM gone GROUP BY submission_id`,
      [subjectId],
    );
    return rows.map((r) => ({ submissionId: r.submission_id, count: Number(r.n) }));
  }

  /** Another waiting submission that holds the same number (blind index), for the duplicate flag. */
  async otherWaitingWithIndex(index: Buffer, notSubmissionId: string, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await this.m(manager).query(
      `SELECT 1 FROM collection_entry e JOIN collection_submission s ON s.id = e.submission_id
        WHERE e.blind_index = $1 AND s.status = 'waiting' AND s.id <> $2 LIMIT 1`,
      [index, notSubmissionId],
    );
    return rows.length > 0;
  }

  // --- key rotation and retirement (issue #18) ---

  /** Data keys (entries' numbers, photos) under each KEK version. */
  async keyVersionCounts(): Promise<Record<string, number>> {
    const rows: { key_version: number; n: number }[] = await this.dataSource.query(
      `SELECT key_version, count(*)::int AS n FROM (
         SELECT key_version FROM collection_entry WHERE key_version IS NOT NULL
         UNION ALL SELECT key_version FROM collection_image) k
       GROUP BY key_version`,
    );
    return Object.fromEntries(rows.map((r) => [String(r.key_version), r.n]));
  }

  /** A batch of data keys under an older KEK version, locked (SKIP LOCKED) for re-wrapping. */
  async staleDataKeys(
    table: 'collection_entry' | 'collection_image',
    below: number,
    limit: number,
    manager: EntityManager,
  ): Promise<{ id: string; wrappedKey: Buffer; keyVersion: number }[]> {
    return manager.query(
      `SELECT id, wrapped_key AS "wrappedKey", key_version AS "keyVersion" FROM ${table}
       WHERE key_version < $1 AND wrapped_key IS NOT NULL LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [below, limit],
    );
  }

  async setWrappedKey(
    table: 'collection_entry' | 'collection_image',
    id: string,
    wrappedKey: Buffer,
    keyVersion: number,
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(`UPDATE ${table} SET wrapped_key = $2, key_version = $3 WHERE id = $1`, [id, wrappedKey, keyVersion]);
  }
}
