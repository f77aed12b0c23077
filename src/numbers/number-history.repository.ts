import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** What became of numbers no longer on file (for the year-end list: disposed of, as against never given). */
@Injectable()
export class NumberHistoryRepository {
  /** Of these people, those whose number was on file and was disposed of (削除・廃棄記録). */
  async disposedAmong(subjectIds: string[], manager: EntityManager): Promise<Set<string>> {
    if (!subjectIds.length) return new Set();
    const rows: { subject_id: string }[] = await manager.query(
      'SELECT DISTINCT subject_id FROM disposal_record WHERE subject_id = ANY($1::uuid[]) AND number_was_on_file',
      [subjectIds],
    );
    return new Set(rows.map((r) => r.subject_id));
  }
}
