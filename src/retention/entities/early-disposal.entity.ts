import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const EARLY_DISPOSAL_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type EarlyDisposalStatus = (typeof EARLY_DISPOSAL_STATUSES)[number];

/**
 * "The filings that follow this departure are done": recorded by a clerk, approved (or rejected)
 * by an admin. Once approved, the post-leaving floor no longer applies to that departure (the
 * relationship ending on left_on); a later departure needs a new one.
 */
@Entity('early_disposal')
export class EarlyDisposal {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ name: 'relationship_kind', type: 'text' })
  relationshipKind: 'employee' | 'dependent' | 'payee';

  @Column({ name: 'left_on', type: 'date' })
  leftOn: string;

  @Column({ name: 'filings_done_on', type: 'date' })
  filingsDoneOn: string;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'text' })
  status: EarlyDisposalStatus;

  @Column({ name: 'recorded_by', type: 'uuid' })
  recordedBy: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ name: 'decision_reason', type: 'text', nullable: true })
  decisionReason: string | null;
}
