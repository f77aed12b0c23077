import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const FIRM_KINDS = ['labor-consultant', 'tax-accountant', 'payroll-bureau', 'other'] as const;
export type FirmKind = (typeof FIRM_KINDS)[number];

/** One item of the supervision checklist (config/compliance.json), as checked for this firm. */
export interface ChecklistEntry {
  code: string;
  done: boolean;
  note: string | null;
  checkedBy: string | null;
  checkedAt: string | null;
}

/** 委託先: an outside firm (社労士, 税理士) with its contract and access window (issue #19). */
@Entity('outside_firm')
export class OutsideFirm {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  kind: FirmKind;

  /** What the contract entrusts (委託の範囲). */
  @Column({ type: 'text' })
  scope: string;

  /** Purpose codes (config/purposes.json) the firm's accounts may use numbers for. */
  @Column({ type: 'text', array: true })
  purposes: string[];

  @Column({ name: 'contract_starts_on', type: 'date' })
  contractStartsOn: string;

  @Column({ name: 'contract_ends_on', type: 'date' })
  contractEndsOn: string;

  /** The firm's accounts work only within [accessFrom, accessUntil) (and the contract's dates). */
  @Column({ name: 'access_from', type: 'timestamptz' })
  accessFrom: Date;

  @Column({ name: 'access_until', type: 'timestamptz' })
  accessUntil: Date;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  checklist: ChecklistEntry[];

  /** The firm's OpenPGP public key (ASCII armor): encrypted exports are made for it. */
  @Column({ name: 'recipient_key', type: 'text', nullable: true })
  recipientKey: string | null;

  @Column({ name: 'recipient_key_fingerprint', type: 'text', nullable: true })
  recipientKeyFingerprint: string | null;

  @Column({ name: 'recipient_key_set_at', type: 'timestamptz', nullable: true })
  recipientKeySetAt: Date | null;

  /** The firm's age X25519 recipient (age1…, issue #19): exports can be encrypted for it instead. */
  @Column({ name: 'age_recipient', type: 'text', nullable: true })
  ageRecipient: string | null;

  @Column({ name: 'age_recipient_set_at', type: 'timestamptz', nullable: true })
  ageRecipientSetAt: Date | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
