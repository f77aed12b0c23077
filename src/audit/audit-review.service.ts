import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClockService } from '@/config/clock.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { AuditService } from './audit.service';

export interface AuditReview {
  id: string;
  reviewerId: string;
  reviewerUsername: string;
  upToSeq: string;
  note: string;
  createdAt: string;
}

const COLUMNS = `id::text AS id, reviewer_id AS "reviewerId", reviewer_username AS "reviewerUsername",
  up_to_seq::text AS "upToSeq", note, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`;

/** Auditors' sign-offs: "reviewed the trail up to entry N", each itself an audit entry. */
@Injectable()
export class AuditReviewService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
  ) {}

  async sign(reviewer: Staff, input: { upToSeq: number; note: string }, request: RequestMeta): Promise<AuditReview> {
    return this.dataSource.transaction(async (m) => {
      const [{ last }] = await m.query(`SELECT max(seq)::text AS last FROM audit_entry`);
      if (last === null || BigInt(input.upToSeq) > BigInt(last)) {
        throw new BadRequestException('upToSeq is beyond the last entry of the trail');
      }
      const [review]: AuditReview[] = await m.query(
        `INSERT INTO audit_review (reviewer_id, reviewer_username, up_to_seq, note, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
        [reviewer.userId, reviewer.username, input.upToSeq, input.note, this.clock.now()],
      );
      await this.audit.record(
        {
          action: 'audit.review-signed',
          outcome: 'success',
          actor: reviewer,
          request,
          details: { reviewId: Number(review!.id), upToSeq: input.upToSeq },
        },
        m,
      );
      return review!;
    });
  }

  /** Newest first. */
  async list(cursor?: string, limit = 50): Promise<{ items: AuditReview[]; nextCursor: string | null }> {
    const rows: AuditReview[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM audit_review ${cursor ? 'WHERE id < $2' : ''} ORDER BY id DESC LIMIT $1`,
      cursor ? [limit + 1, cursor] : [limit + 1],
    );
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    return { items, nextCursor: more ? items[items.length - 1]!.id : null };
  }
}
