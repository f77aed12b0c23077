import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ChallengeStage = 'change-password' | 'enrol' | 'totp';

/**
 * The state between a correct password and a session: which step comes next. Short-lived,
 * one per person (a new login replaces it), only the token's SHA-256 is stored.
 */
@Entity('auth_challenge')
export class AuthChallenge {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'token_hash', type: 'bytea', unique: true })
  tokenHash: Buffer;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  stage: ChallengeStage;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  /** Code attempts made on this challenge (reserved atomically; see LOGIN_POLICY.challengeCodeAttempts). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;
}
