import { Column, Entity, PrimaryColumn } from 'typeorm';

export interface IdentityCheck {
  numberDocument: string;
  identityDocuments: string[];
  checkedAt: string;
  checkedBy: string;
}

/**
 * The encrypted number of one person. Holds no plaintext: the ciphertext is bound (GCM
 * additional data) to recordId and subjectId; the data key is wrapped by KEK `keyVersion`;
 * the blind index finds duplicates without decrypting.
 */
@Entity('subject_number')
export class SubjectNumber {
  @PrimaryColumn({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ name: 'record_id', type: 'uuid' })
  recordId: string;

  @Column({ type: 'bytea' })
  ciphertext: Buffer;

  @Column({ name: 'wrapped_key', type: 'bytea' })
  wrappedKey: Buffer;

  @Column({ name: 'key_version', type: 'integer' })
  keyVersion: number;

  @Column({ name: 'blind_index', type: 'bytea' })
  blindIndex: Buffer;

  @Column({ name: 'identity_check', type: 'jsonb' })
  identityCheck: IdentityCheck;

  @Column({ name: 'stored_by', type: 'uuid' })
  storedBy: string;

  @Column({ name: 'stored_at', type: 'timestamptz' })
  storedAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** Additional data that binds a ciphertext to its row. */
export function numberAad(recordId: string, subjectId: string): string {
  return `subject_number:${recordId}:${subjectId}`;
}
