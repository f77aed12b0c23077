import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DueReason } from '../due-dates';

/** One row per person: the computed disposal due date (the database, not Redis, is the truth). */
@Entity('retention_schedule')
export class RetentionSchedule {
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  /** First day the number may be deleted; null while it must be kept (see reason). */
  @Column({ name: 'due_on', type: 'date', nullable: true })
  dueOn: string | null;

  /** Document type whose period ends last, or 'left'. */
  @Column({ type: 'text', nullable: true })
  rule: string | null;

  @Column({ type: 'text' })
  reason: DueReason;

  @Column({ name: 'left_on', type: 'date', nullable: true })
  leftOn: string | null;

  /** A leaver kept only by an open matter: when the "still needed?" review is due. */
  @Column({ name: 'review_on', type: 'date', nullable: true })
  reviewOn: string | null;

  @Column({ name: 'computed_at', type: 'timestamptz' })
  computedAt: Date;

  /** Set when the number was disposed of; cleared when the person returns or a new filing is recorded. */
  @Column({ name: 'disposed_at', type: 'timestamptz', nullable: true })
  disposedAt: Date | null;
}
