import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const REVIEW_STATUSES = ['open', 'confirmed', 'closed', 'withdrawn'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** "Still needed?": a leaver whose number is kept only because a matter is still open. */
@Entity('matter_review')
export class MatterReview {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ name: 'due_on', type: 'date' })
  dueOn: string;

  @Column({ type: 'text' })
  status: ReviewStatus;

  @Column({ name: 'raised_at', type: 'timestamptz' })
  raisedAt: Date;

  @Column({ name: 'raised_by', type: 'text' })
  raisedBy: string;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'next_review_on', type: 'date', nullable: true })
  nextReviewOn: string | null;
}
