import { Entity, PrimaryColumn } from 'typeorm';

/** A person a filing carries besides its filer (a dependent on the employee's 扶養控除等申告書). */
@Entity('filing_person')
export class FilingPerson {
  @PrimaryColumn({ name: 'filing_id', type: 'uuid' })
  filingId: string;

  @PrimaryColumn({ name: 'subject_id', type: 'uuid' })
  subjectId: string;
}
