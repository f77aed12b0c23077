import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '@/common/auth/roles';

export type StaffStatus = 'active' | 'deactivated';

const bigintAsNumber = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/**
 * A named member of staff. Never hand this entity to a client: it holds the password hash
 * and the encrypted TOTP secret. The inventory view is `StaffAccountView` (users.service).
 */
@Entity('staff_user')
export class StaffUser {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Lower case, unique; see username.ts for the accepted shape. */
  @Column({ type: 'text', unique: true })
  username: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  @Column({ type: 'text', array: true, default: () => `'{}'` })
  roles: Role[];

  /** argon2id (PHC string; parameters inside). */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ name: 'must_change_password', type: 'boolean', default: true })
  mustChangePassword: boolean;

  @Column({ name: 'password_changed_at', type: 'timestamptz', nullable: true })
  passwordChangedAt: Date | null;

  @Column({ type: 'text', default: 'active' })
  status: StaffStatus;

  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true })
  deactivatedAt: Date | null;

  @Column({ name: 'deactivation_reason', type: 'text', nullable: true })
  deactivationReason: string | null;

  @Column({ name: 'deactivated_by', type: 'uuid', nullable: true })
  deactivatedBy: string | null;

  /** TOTP secret, envelope-encrypted; the additional data binds it to this user (totpAad). */
  @Column({ name: 'totp_ciphertext', type: 'bytea', nullable: true })
  totpCiphertext: Buffer | null;

  @Column({ name: 'totp_wrapped_key', type: 'bytea', nullable: true })
  totpWrappedKey: Buffer | null;

  @Column({ name: 'totp_key_version', type: 'integer', nullable: true })
  totpKeyVersion: number | null;

  /** Null while the secret is only pending (enrol issued, not yet activated with a code). */
  @Column({ name: 'totp_enrolled_at', type: 'timestamptz', nullable: true })
  totpEnrolledAt: Date | null;

  /** The last accepted TOTP time step: a code of this step or earlier is refused (replay). */
  @Column({ name: 'last_totp_step', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  lastTotpStep: number | null;

  /** Password backoff for addresses this account never completed a login from (see src/auth/login-policy.ts). */
  @Column({ name: 'failed_attempts', type: 'integer', default: 0 })
  failedAttempts: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  /** Password backoff for its known addresses. */
  @Column({ name: 'known_failed_attempts', type: 'integer', default: 0 })
  knownFailedAttempts: number;

  @Column({ name: 'known_locked_until', type: 'timestamptz', nullable: true })
  knownLockedUntil: Date | null;

  /** Second-factor backoff (TOTP, recovery code, activation, step-up). */
  @Column({ name: 'factor_failed_attempts', type: 'integer', default: 0 })
  factorFailedAttempts: number;

  @Column({ name: 'factor_locked_until', type: 'timestamptz', nullable: true })
  factorLockedUntil: Date | null;

  /** Addresses this account completed a full login (password and second factor) from, newest first. */
  @Column({ name: 'known_addresses', type: 'text', array: true, default: () => `'{}'` })
  knownAddresses: string[];

  /** How many times the account was locked since its last successful login (grows the period). */
  @Column({ name: 'lockout_count', type: 'integer', default: 0 })
  lockoutCount: number;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @Column({ name: 'training_version', type: 'text', nullable: true })
  trainingVersion: string | null;

  @Column({ name: 'training_acknowledged_at', type: 'timestamptz', nullable: true })
  trainingAcknowledgedAt: Date | null;

  /** Roles asked for but waiting for the responsible person's approval (a new clerk; issue #19). */
  @Column({ name: 'pending_roles', type: 'text', array: true, default: () => `'{}'` })
  pendingRoles: Role[];

  /** Who asked for the pending roles (the approver must be someone else under four eyes). */
  @Column({ name: 'roles_requested_by', type: 'uuid', nullable: true })
  rolesRequestedBy: string | null;

  @Column({ name: 'roles_requested_at', type: 'timestamptz', nullable: true })
  rolesRequestedAt: Date | null;

  /** The outside firm (委託先) this account belongs to (issue #19); its contract limits it. */
  @Column({ name: 'firm_id', type: 'uuid', nullable: true })
  firmId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;
}

/** GCM additional data for a user's TOTP secret: a ciphertext copied to another row fails. */
export const totpAad = (userId: string): string => `staff_user:${userId}:totp`;
