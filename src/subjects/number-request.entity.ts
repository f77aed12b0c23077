import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const REQUEST_MEANS = ['in-person', 'document', 'mail', 'email', 'phone', 'other'] as const;
export const REQUEST_ANSWERS = ['no-answer', 'refused', 'will-provide'] as const;

/**
 * 未提供: one request for the person's number, with its date, means and answer (NTA FAQ: when a
 * person refuses, record that and how the number was asked for, so the filing shows it was
 * requested). Append-only.
 */
@Entity('number_request')
export class NumberRequest {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ name: 'requested_on', type: 'date' })
  requestedOn: string;

  @Column({ type: 'text' })
  means: (typeof REQUEST_MEANS)[number];

  @Column({ type: 'text' })
  answer: (typeof REQUEST_ANSWERS)[number];

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ name: 'recorded_by', type: 'uuid' })
  recordedBy: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;
}
