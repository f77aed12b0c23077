import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type EntryRelation = 'self' | 'dependent';

/** GCM additional data of a submitted number: binds the ciphertext to its row. */
export const entryAad = (entryId: string, submissionId: string): string => `collection_entry:${entryId}:${submissionId}`;

/**
 * One person in a submission: the submitter (`self`) or a dependent. The number is encrypted
 * like subject_number (own data key); "will not provide" is a reason code instead.
 */
@Entity('collection_entry')
export class CollectionEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'submission_id', type: 'uuid' })
  submissionId: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'text' })
  relation: EntryRelation;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ name: 'name_kana', type: 'text', nullable: true })
  nameKana: string | null;

  @Column({ type: 'text', nullable: true })
  relationship: string | null;

  @Column({ name: 'number_document', type: 'text', nullable: true })
  numberDocument: string | null;

  @Column({ name: 'identity_documents', type: 'text', array: true, default: () => "'{}'" })
  identityDocuments: string[];

  @Column({ type: 'bytea', nullable: true })
  ciphertext: Buffer | null;

  @Column({ name: 'wrapped_key', type: 'bytea', nullable: true })
  wrappedKey: Buffer | null;

  @Column({ name: 'key_version', type: 'integer', nullable: true })
  keyVersion: number | null;

  @Column({ name: 'blind_index', type: 'bytea', nullable: true })
  blindIndex: Buffer | null;

  @Column({ name: 'not_provided_reason', type: 'text', nullable: true })
  notProvidedReason: string | null;

  /** The number already sits on another person's record: flagged for the clerk, never merged. */
  @Column({ type: 'boolean', default: false })
  duplicate: boolean;

  /** After approval: the person the number was stored for (a dependent is created then). */
  @Column({ name: 'stored_subject_id', type: 'uuid', nullable: true })
  storedSubjectId: string | null;
}
