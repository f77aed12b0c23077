import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const DISPOSAL_METHOD = 'crypto-erase: ciphertext, wrapped data key and blind index deleted';
export const DISPOSAL_METHOD_NOTHING_ON_FILE = 'none needed: no number was on file';

/** 削除・廃棄記録: who disposed of whose number, when, under which rule, approved by whom. Never the number. */
@Entity('disposal_record')
export class DisposalRecord {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'alarm_id', type: 'uuid' })
  alarmId: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ name: 'subject_code', type: 'text' })
  subjectCode: string;

  @Column({ name: 'subject_kind', type: 'text' })
  subjectKind: string;

  /** Document type whose retention ended last, or 'left'. */
  @Column({ type: 'text', nullable: true })
  rule: string | null;

  /** Legal basis of that rule. */
  @Column({ type: 'text', nullable: true })
  basis: string | null;

  @Column({ name: 'due_on', type: 'date' })
  dueOn: string;

  @Column({ name: 'disposed_at', type: 'timestamptz' })
  disposedAt: Date;

  @Column({ name: 'disposed_by', type: 'uuid' })
  disposedBy: string;

  @Column({ name: 'disposed_by_username', type: 'text' })
  disposedByUsername: string;

  @Column({ name: 'approved_by', type: 'uuid' })
  approvedBy: string;

  @Column({ name: 'approved_by_username', type: 'text' })
  approvedByUsername: string;

  /**
   * How it was approved (issue #19): `approved` by a second person, `waived` (done alone under a
   * recorded four-eyes waiver; flagged to auditors), `not-configured` (no policy set up yet).
   * NULL on records written before this was recorded.
   */
  @Column({ name: 'four_eyes', type: 'text', nullable: true })
  fourEyes: 'approved' | 'waived' | 'not-configured' | null;

  /** The waiver's recorded reason, when fourEyes is `waived`. */
  @Column({ name: 'waiver_reason', type: 'text', nullable: true })
  waiverReason: string | null;

  /** The approval request carried out (GET /approvals/:id), when there was one. */
  @Column({ name: 'approval_id', type: 'uuid', nullable: true })
  approvalId: string | null;

  @Column({ type: 'text' })
  method: string;

  @Column({ name: 'number_was_on_file', type: 'boolean' })
  numberWasOnFile: boolean;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  /** Set when the record came from "dispose of every open alarm". */
  @Column({ name: 'batch_id', type: 'uuid', nullable: true })
  batchId: string | null;
}
