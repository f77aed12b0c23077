import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { DueResult } from './due-dates';
import { DisposalRecord } from './entities/disposal-record.entity';
import { EarlyDisposal } from './entities/early-disposal.entity';
import { Filing } from './entities/filing.entity';
import { RetentionSchedule } from './entities/retention-schedule.entity';

export interface OpenMatterRow {
  subject_id: string;
  code: string;
  name: string;
  kind: string;
  left_on: string | null;
  review_on: string | null;
  filing_id: string;
  document_type: string;
  tax_year: number | null;
  submitted_at: string | null;
  recorded_at: Date;
  review_id: string | null;
  review_status: string | null;
  review_due_on: string | null;
}

/** SQL of the retention module's newer tables (issue #14): filings' people, early disposal, reviews. */
@Injectable()
export class RetentionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private db(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async countOpenAlarms(): Promise<number> {
    const [row]: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n FROM disposal_alarm WHERE status = 'open'`);
    return row?.n ?? 0;
  }

  /** Disposal records, newest first, after the cursor record (keyset page of `limit`). */
  disposalRecordsBefore(cursor: string | undefined, limit: number): Promise<DisposalRecord[]> {
    const qb = this.dataSource.manager.createQueryBuilder(DisposalRecord, 'd').orderBy('d.disposed_at', 'DESC').addOrderBy('d.id', 'DESC').limit(limit);
    if (cursor) qb.where('(d.disposed_at, d.id) < (SELECT c.disposed_at, c.id FROM disposal_record c WHERE c.id = :cursor)', { cursor });
    return qb.getMany();
  }

  /** Stores a person's computed due date; `resetDisposal` clears an earlier disposal mark (a new leave or filing). */
  async upsertSchedule(subjectId: string, due: DueResult, now: Date, resetDisposal: boolean, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO retention_schedule (subject_id, due_on, rule, reason, left_on, computed_at, disposed_at)
       VALUES ($1, $2, $3, $4, $5, $6, NULL)
       ON CONFLICT (subject_id) DO UPDATE SET
         due_on = EXCLUDED.due_on, rule = EXCLUDED.rule, reason = EXCLUDED.reason, left_on = EXCLUDED.left_on,
         computed_at = EXCLUDED.computed_at,
         disposed_at = CASE WHEN $7 THEN NULL ELSE retention_schedule.disposed_at END`,
      [subjectId, due.dueOn, due.rule, due.reason, due.leftOn, now, resetDisposal],
    );
  }

  /** The stored (computed) disposal dates of these people. */
  async schedules(subjectIds: string[], manager?: EntityManager): Promise<RetentionSchedule[]> {
    return subjectIds.length ? this.db(manager).findBy(RetentionSchedule, { subjectId: In(subjectIds) }) : [];
  }

  /** How many recorded filings carry each person's number (their own and those naming them); 0 when none. */
  async filingCounts(subjectIds: string[], manager?: EntityManager): Promise<Map<string, number>> {
    if (!subjectIds.length) return new Map();
    const rows: { subject_id: string; n: number }[] = await this.db(manager).query(
      `SELECT s.id AS subject_id,
              (SELECT count(*)::int FROM filing f
                WHERE f.subject_id = s.id OR f.id IN (SELECT fp.filing_id FROM filing_person fp WHERE fp.subject_id = s.id)) AS n
         FROM unnest($1::uuid[]) AS s(id)`,
      [subjectIds],
    );
    return new Map(rows.map((r) => [r.subject_id, r.n]));
  }

  /** The open alarms among `ids` in disposal order, with their person. */
  async openAlarms(ids: string[], manager?: EntityManager): Promise<{ id: string; subjectId: string }[]> {
    const rows: { id: string; subject_id: string }[] = await this.db(manager).query(
      `SELECT id, subject_id FROM disposal_alarm WHERE status = 'open' AND id = ANY($1::uuid[]) ORDER BY due_on, id`,
      [ids],
    );
    return rows.map((r) => ({ id: r.id, subjectId: r.subject_id }));
  }

  /** The filings that carry a person's number: their own and those that name them. */
  async filingsCarrying(subjectId: string, manager?: EntityManager): Promise<Filing[]> {
    return this.db(manager)
      .createQueryBuilder(Filing, 'f')
      .where('f.subject_id = :id', { id: subjectId })
      .orWhere('f.id IN (SELECT fp.filing_id FROM filing_person fp WHERE fp.subject_id = :id)', { id: subjectId })
      .orderBy('f.recorded_at', 'ASC')
      .addOrderBy('f.id', 'ASC')
      .getMany();
  }

  async addPeople(filingId: string, subjectIds: string[], manager: EntityManager): Promise<void> {
    if (!subjectIds.length) return;
    await manager.query('INSERT INTO filing_person (filing_id, subject_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING', [filingId, subjectIds]);
  }

  /** Filing id → the people it names. */
  async peopleOf(filingIds: string[], manager?: EntityManager): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(filingIds.map((id) => [id, []]));
    if (!filingIds.length) return out;
    const rows: { filing_id: string; subject_id: string }[] = await this.db(manager).query(
      'SELECT filing_id, subject_id FROM filing_person WHERE filing_id = ANY($1::uuid[]) ORDER BY subject_id',
      [filingIds],
    );
    for (const r of rows) out.get(r.filing_id)!.push(r.subject_id);
    return out;
  }

  /** Approved early disposals of a person (each releases the floor of the departure on its left_on). */
  async approvedEarlyDisposals(subjectId: string, manager?: EntityManager): Promise<EarlyDisposal[]> {
    return this.db(manager).find(EarlyDisposal, { where: { subjectId, status: 'approved' } });
  }

  /** Leavers whose number is kept only because a matter is still open, with the open filings and any review. */
  async openMatters(matterClosedTypes: string[]): Promise<OpenMatterRow[]> {
    return this.dataSource.query(
      `
      SELECT s.id AS subject_id, s.code, s.name, s.kind,
             to_char(rs.left_on, 'YYYY-MM-DD') AS left_on, to_char(rs.review_on, 'YYYY-MM-DD') AS review_on,
             f.id AS filing_id, f.document_type, f.tax_year, to_char(f.submitted_at, 'YYYY-MM-DD') AS submitted_at, f.recorded_at,
             mr.id AS review_id, mr.status AS review_status, to_char(mr.due_on, 'YYYY-MM-DD') AS review_due_on
        FROM retention_schedule rs
        JOIN subject s ON s.id = rs.subject_id
        JOIN filing f ON f.closed_at IS NULL AND f.document_type = ANY($1::text[])
                     AND (f.subject_id = s.id OR f.id IN (SELECT fp.filing_id FROM filing_person fp WHERE fp.subject_id = s.id))
        LEFT JOIN LATERAL (
          SELECT id, status, due_on FROM matter_review m WHERE m.subject_id = s.id ORDER BY raised_at DESC LIMIT 1
        ) mr ON true
       WHERE rs.reason = 'matter-open' AND rs.disposed_at IS NULL
       ORDER BY rs.left_on, s.code, f.recorded_at`,
      [matterClosedTypes],
    );
  }

  /** Sets when the next review is due (null: none). */
  async setReviewOn(subjectId: string, reviewOn: string | null, manager: EntityManager): Promise<void> {
    await manager.query('UPDATE retention_schedule SET review_on = $2 WHERE subject_id = $1', [subjectId, reviewOn]);
  }

  /** Withdraws an open review (the person is no longer kept by an open matter). */
  async withdrawOpenReview(subjectId: string, now: Date, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE matter_review SET status = 'withdrawn', decided_at = $2 WHERE subject_id = $1 AND status = 'open'`, [subjectId, now]);
  }

  /** The latest confirmed review's next date, if any. */
  async nextConfirmedReview(subjectId: string, manager: EntityManager): Promise<string | null> {
    const rows: { next: string | null }[] = await manager.query(
      `SELECT to_char(next_review_on, 'YYYY-MM-DD') AS next FROM matter_review WHERE subject_id = $1 AND status = 'confirmed' ORDER BY decided_at DESC LIMIT 1`,
      [subjectId],
    );
    return rows[0]?.next ?? null;
  }
}
