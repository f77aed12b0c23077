import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SubjectKind } from '@/config/legal-data';

/**
 * One relationship that justifies holding a person's number: employee, 配偶者・扶養親族 of an
 * employee (`employeeId`), or payee. A person may hold several at once (a director who rents the
 * office to the company, a spouse on the staff). The primary one mirrors the subject row's
 * kind, employee, hire and leave dates (the original API); the others are added to it.
 */
@Entity('subject_relationship')
export class SubjectRelationship {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ type: 'text' })
  kind: SubjectKind;

  @Column({ name: 'employee_id', type: 'uuid', nullable: true })
  employeeId: string | null;

  @Column({ name: 'started_at', type: 'date', nullable: true })
  startedAt: string | null;

  /** Employee left, dependent removed from the declaration, payee contract ended. */
  @Column({ name: 'ended_at', type: 'date', nullable: true })
  endedAt: string | null;

  @Column({ name: 'is_primary', type: 'boolean', default: false })
  isPrimary: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
