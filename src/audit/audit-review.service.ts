import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClockService } from '@/config/clock.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { AuditService } from './audit.service';
import { lastEntrySeq } from './audit.repository';
import { AuditReview, insertReview, reviewsBefore } from './audit-review.repository';

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
      const last = await lastEntrySeq(m);
      if (last === null || BigInt(input.upToSeq) > BigInt(last)) {
        throw new BadRequestException({ code: 'audit.review-beyond-end', message: 'upToSeq is beyond the last entry of the trail' });
      }
      const review = await insertReview(m, {
        reviewerId: reviewer.userId,
        reviewerUsername: reviewer.username,
        upToSeq: input.upToSeq,
        note: input.note,
        createdAt: this.clock.now(),
      });
      await this.audit.record(
        {
          action: 'audit.review-signed',
          outcome: 'success',
          actor: reviewer,
          request,
          details: { reviewId: Number(review.id), upToSeq: input.upToSeq },
        },
        m,
      );
      return review;
    });
  }

  /** Newest first. */
  async list(cursor?: string, limit = 50): Promise<{ items: AuditReview[]; nextCursor: string | null }> {
    const rows = await reviewsBefore(this.dataSource, cursor, limit + 1);
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    return { items, nextCursor: more ? items[items.length - 1]!.id : null };
  }
}
