import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type SubmissionStatus = 'waiting' | 'approved' | 'returned';

/** What one person handed in through a link, waiting for (or after) a clerk's review. */
@Entity('collection_submission')
export class CollectionSubmission {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ type: 'text' })
  status: SubmissionStatus;

  /** When the person acknowledged the purposes and handling summary (recorded as the notice time). */
  @Column({ name: 'acknowledged_at', type: 'timestamptz' })
  acknowledgedAt: Date;

  @Column({ type: 'text', array: true })
  purposes: string[];

  @Column({ name: 'number_document', type: 'text', nullable: true })
  numberDocument: string | null;

  @Column({ name: 'identity_documents', type: 'text', array: true, default: () => "'{}'" })
  identityDocuments: string[];

  @Column({ name: 'submitted_at', type: 'timestamptz' })
  submittedAt: Date;

  @Column({ name: 'client_address', type: 'text', nullable: true })
  clientAddress: string | null;

  @Column({ name: 'reviewed_by', type: 'uuid', nullable: true })
  reviewedBy: string | null;

  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true })
  reviewedAt: Date | null;

  @Column({ name: 'return_reason', type: 'text', nullable: true })
  returnReason: string | null;

  @Column({ name: 'images_deleted_at', type: 'timestamptz', nullable: true })
  imagesDeletedAt: Date | null;
}
