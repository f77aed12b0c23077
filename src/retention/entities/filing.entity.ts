import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A document that used a person's number; its retention rule keeps the number (config/retention-rules.json). */
@Entity('filing')
export class Filing {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ name: 'document_type', type: 'text' })
  documentType: string;

  /** 年分: the tax year the document is for; each rule says how its retention start follows from it. */
  @Column({ name: 'tax_year', type: 'integer', nullable: true })
  taxYear: number | null;

  @Column({ name: 'submitted_at', type: 'date', nullable: true })
  submittedAt: string | null;

  /** The day the matter closed (完結の日), for rules that start then; null while it is open. */
  @Column({ name: 'closed_at', type: 'date', nullable: true })
  closedAt: string | null;

  @Column({ name: 'recorded_by', type: 'uuid', nullable: true })
  recordedBy: string | null;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
