import { Queryable } from './audit-sql';

/** An auditor's sign-off as stored in audit_review. */
export interface AuditReview {
  id: string;
  reviewerId: string;
  reviewerUsername: string;
  upToSeq: string;
  note: string;
  createdAt: string;
}

/** SQL of the auditors' sign-offs (audit_review); AuditReviewService holds the rules. */

const COLUMNS = `id::text AS id, reviewer_id AS "reviewerId", reviewer_username AS "reviewerUsername",
  up_to_seq::text AS "upToSeq", note, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`;

export async function insertReview(
  q: Queryable,
  r: { reviewerId: string; reviewerUsername: string; upToSeq: number; note: string; createdAt: Date },
): Promise<AuditReview> {
  const [review]: AuditReview[] = await q.query(
    `INSERT INTO audit_review (reviewer_id, reviewer_username, up_to_seq, note, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [r.reviewerId, r.reviewerUsername, r.upToSeq, r.note, r.createdAt],
  );
  return review!;
}

/** Newest first: up to `limit` sign-offs older than `cursor` (an id), or the newest. */
export async function reviewsBefore(q: Queryable, cursor: string | undefined, limit: number): Promise<AuditReview[]> {
  return q.query(`SELECT ${COLUMNS} FROM audit_review ${cursor ? 'WHERE id < $2' : ''} ORDER BY id DESC LIMIT $1`, cursor ? [limit, cursor] : [limit]);
}
