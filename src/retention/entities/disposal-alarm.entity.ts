import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ALARM_STATUSES = ['open', 'postponed', 'disposed', 'withdrawn'] as const;
export type AlarmStatus = (typeof ALARM_STATUSES)[number];

/** "This person's number is due for disposal." At most one open-or-postponed alarm per person. */
@Entity('disposal_alarm')
export class DisposalAlarm {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ name: 'due_on', type: 'date' })
  dueOn: string;

  @Column({ type: 'text', nullable: true })
  rule: string | null;

  @Column({ type: 'text' })
  status: AlarmStatus;

  @Column({ name: 'raised_at', type: 'timestamptz' })
  raisedAt: Date;

  /** What raised it: 'queue' (the delayed job), 'sweep', 'fallback-sweep', 'recompute'. */
  @Column({ name: 'raised_by', type: 'text' })
  raisedBy: string;

  @Column({ name: 'postponed_until', type: 'timestamptz', nullable: true })
  postponedUntil: Date | null;

  @Column({ name: 'postpone_reason', type: 'text', nullable: true })
  postponeReason: string | null;

  @Column({ name: 'postponed_by', type: 'uuid', nullable: true })
  postponedBy: string | null;

  @Column({ name: 'reopened_at', type: 'timestamptz', nullable: true })
  reopenedAt: Date | null;

  /** When it was disposed of or withdrawn. */
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'disposal_id', type: 'uuid', nullable: true })
  disposalId: string | null;
}
