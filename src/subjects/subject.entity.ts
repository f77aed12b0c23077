import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SubjectKind } from '@/config/legal-data';

/**
 * A person whose number the company holds: an employee, a dependent (linked to the employee)
 * or a payee. `leftAt` means: the employee left, the dependent was removed from the
 * employee's declaration, or the payee's contract ended.
 */
@Entity('subject')
export class Subject {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  kind: SubjectKind;

  @Column({ type: 'text', unique: true })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'name_kana', type: 'text', nullable: true })
  nameKana: string | null;

  @Column({ name: 'employee_id', type: 'uuid', nullable: true })
  employeeId: string | null;

  @Column({ name: 'hired_at', type: 'date', nullable: true })
  hiredAt: string | null;

  @Column({ name: 'left_at', type: 'date', nullable: true })
  leftAt: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
