import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A purpose of use (利用目的) this person was told of, for one of their relationships, and when. */
@Entity('subject_purpose')
export class SubjectPurpose {
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  /** The relationship the notice was given for (purposes are notified per relationship). */
  @PrimaryColumn({ name: 'relationship_id', type: 'uuid' })
  relationshipId: string;

  @PrimaryColumn({ type: 'text' })
  purpose: string;

  @Column({ name: 'notified_at', type: 'timestamptz' })
  notifiedAt: Date;

  @Column({ name: 'recorded_by', type: 'uuid', nullable: true })
  recordedBy: string | null;
}
