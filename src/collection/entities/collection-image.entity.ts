import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** GCM additional data of a photo: binds the ciphertext to its row and submission. */
export const imageAad = (imageId: string, submissionId: string): string => `collection_image:${imageId}:${submissionId}`;

/** An identity-document photo: metadata stripped, re-encoded, encrypted under its own data key. */
@Entity('collection_image')
export class CollectionImage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'submission_id', type: 'uuid' })
  submissionId: string;

  /** Whose document: 0 = the submitter, 1… = the dependents in the order they were sent. */
  @Column({ name: 'entry_position', type: 'integer', default: 0 })
  entryPosition: number;

  /** Identity-document code (config/identity-documents.json). */
  @Column({ type: 'text' })
  document: string;

  /** front | back */
  @Column({ type: 'text' })
  side: string;

  @Column({ name: 'content_type', type: 'text' })
  contentType: string;

  @Column({ type: 'integer' })
  bytes: number;

  @Column({ type: 'bytea', select: false })
  ciphertext: Buffer;

  @Column({ name: 'wrapped_key', type: 'bytea', select: false })
  wrappedKey: Buffer;

  @Column({ name: 'key_version', type: 'integer' })
  keyVersion: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
