import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** A stored number as the reveal paths read it: ciphertext, wrapped data key and its KEK version. */
export interface EncryptedNumberRow {
  subject_id: string;
  record_id: string;
  ciphertext: Buffer;
  wrapped_key: Buffer;
  key_version: number;
}

/** The reveal's read, run inside AuditService.recordWithRead (tier 3: one named prepared statement with the audit insert). */
export interface RevealRead {
  notified: boolean;
  allowed: boolean;
  record_id: string | null;
  ciphertext: Buffer | null;
  wrapped_key: Buffer | null;
  key_version: number | null;
}

/** The numbers module's SQL (services hold the rules; docs/architecture.md "Where SQL lives"). */
@Injectable()
export class NumbersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The statement of one reveal: whether the person was told of the purpose ($2), and the
   * ciphertext when a number is on file; `allowed` decides whether the audit entry is inserted.
   * `notified` is the subjects module's condition (SubjectsService.notifiedCondition).
   */
  revealRead(subjectId: string, purpose: string | undefined, notified: string): { name: string; sql: string; params: unknown[] } {
    return {
      name: 'reveal',
      sql: `SELECT ${notified} AS notified,
                   n.record_id, n.ciphertext, n.wrapped_key, n.key_version,
                   (${notified} AND n.record_id IS NOT NULL) AS allowed
              FROM (SELECT 1) AS one LEFT JOIN subject_number n ON n.subject_id = $1::uuid`,
      params: [subjectId, purpose],
    };
  }

  /** The stored numbers of these people (bulk retrieval, one batch). */
  async encryptedAmong(subjectIds: string[], manager: EntityManager): Promise<EncryptedNumberRow[]> {
    if (!subjectIds.length) return [];
    return manager.query('SELECT subject_id, record_id, ciphertext, wrapped_key, key_version FROM subject_number WHERE subject_id = ANY($1::uuid[])', [
      subjectIds,
    ]);
  }

  /** How many data keys are under each KEK version. */
  async keyVersionCounts(): Promise<{ key_version: number; n: string }[]> {
    return this.dataSource.query('SELECT key_version, count(*) AS n FROM subject_number GROUP BY key_version ORDER BY key_version');
  }
}
