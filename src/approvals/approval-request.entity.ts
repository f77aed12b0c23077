import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
export const APPROVAL_STATUSES = ['pending', 'approved', 'declined'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** Something one person asked for that another (the responsible person) must approve. */
@Entity('approval_request')
export class ApprovalRequest {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** What is asked for: `disposal`, `disposal-batch`, … (a module registers how to carry it out). */
  @Column({ type: 'text' })
  kind: string;

  /** The thing it is about (an alarm id), when there is one. */
  @Column({ name: 'target_id', type: 'uuid', nullable: true })
  targetId: string | null;

  /** Small, digit-free facts the executor needs (a note). Never a number. */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  payload: Record<string, unknown>;

  @Column({ type: 'text' })
  status: ApprovalStatus;

  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy: string;

  @Column({ name: 'requested_by_username', type: 'text' })
  requestedByUsername: string;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt: Date;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Column({ name: 'decided_by_username', type: 'text', nullable: true })
  decidedByUsername: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ name: 'decision_note', type: 'text', nullable: true })
  decisionNote: string | null;

  /** Approved by the person who asked, under a recorded four-eyes waiver. */
  @Column({ name: 'self_approved', type: 'boolean', default: false })
  selfApproved: boolean;
}
