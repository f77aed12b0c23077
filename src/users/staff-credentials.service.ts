import { BadRequestException, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager, LessThan } from 'typeorm';
import { Env } from '@/config/env.schema';
import { EnvelopeService } from '@/crypto/envelope.service';
import { lockPeriodMinutes } from './lockout';
import { PasswordHasher } from './password-hasher.service';
import { passwordProblem } from './password-policy';
import { RecoveryCode } from './recovery-code.entity';
import { StaffUser, totpAad } from './staff-user.entity';

export const RECOVERY_CODE_COUNT = 10;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 80 random bits as 16 base32 characters in groups of four: "abcd-efgh-ijkl-mnop". */
export function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** Spaces, hyphens and case do not matter when a person types a code. */
export function recoveryCodeHash(code: string): Buffer {
  return createHash('sha256').update(code.toLowerCase().replace(/[^a-z2-7]/g, '')).digest();
}

/** TypeORM answers an UPDATE ... RETURNING on PostgreSQL with [rows, rowCount]. */
function updatedRows(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}

export interface FailureResult {
  /** Set when this failure (or an earlier one) locked the account. */
  lockedUntil: Date | null;
  /** True when this very failure started the lock (audit it as a lockout). */
  lockedNow: boolean;
  lockoutCount: number;
}

/**
 * The credential state of staff accounts: password, lockout counters, the encrypted TOTP
 * secret and its last used step, recovery codes, training acknowledgement. The auth module
 * drives the login flow through this service; it never touches the users' tables itself
 * (except the session lookup, which joins staff_user in one query for speed).
 */
@Injectable()
export class StaffCredentialsService {
  private readonly lockoutThreshold: number;
  private readonly lockoutMinutes: number[];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly envelope: EnvelopeService,
    private readonly hasher: PasswordHasher,
    config: ConfigService<Env, true>,
  ) {
    this.lockoutThreshold = config.get('LOCKOUT_THRESHOLD', { infer: true });
    this.lockoutMinutes = config.get('LOCKOUT_MINUTES', { infer: true });
  }

  findByUsername(username: string): Promise<StaffUser | null> {
    return this.dataSource.getRepository(StaffUser).findOneBy({ username });
  }

  findById(id: string): Promise<StaffUser | null> {
    return this.dataSource.getRepository(StaffUser).findOneBy({ id });
  }

  /**
   * Checks a password; for an unknown user (null) it verifies against a dummy hash so the
   * answer takes the same time. Upgrades the stored hash when the settings got stronger.
   */
  async checkPassword(user: StaffUser | null, password: string): Promise<boolean> {
    if (!user) return this.hasher.verifyDummy(password);
    const ok = await this.hasher.verify(user.passwordHash, password);
    if (ok && this.hasher.needsRehash(user.passwordHash)) {
      await this.dataSource.getRepository(StaffUser).update(user.id, { passwordHash: await this.hasher.hash(password) });
    }
    return ok;
  }

  /** Seconds until the lock ends (rounded up), or 0 when not locked. */
  lockedForSeconds(user: Pick<StaffUser, 'lockedUntil'>, now: Date): number {
    if (!user.lockedUntil || user.lockedUntil <= now) return 0;
    return Math.ceil((user.lockedUntil.getTime() - now.getTime()) / 1000);
  }

  /** Counts a failed password or second-factor attempt; the threshold-th consecutive one locks. */
  async registerFailure(userId: string, now: Date): Promise<FailureResult> {
    return this.dataSource.transaction(async (m) => {
      const user = await m.getRepository(StaffUser).findOne({ where: { id: userId }, lock: { mode: 'pessimistic_write' } });
      if (!user) return { lockedUntil: null, lockedNow: false, lockoutCount: 0 };
      if (user.lockedUntil && user.lockedUntil > now) {
        return { lockedUntil: user.lockedUntil, lockedNow: false, lockoutCount: user.lockoutCount };
      }
      const failed = user.failedAttempts + 1;
      if (failed < this.lockoutThreshold) {
        await m.getRepository(StaffUser).update(userId, { failedAttempts: failed });
        return { lockedUntil: null, lockedNow: false, lockoutCount: user.lockoutCount };
      }
      const minutes = lockPeriodMinutes(this.lockoutMinutes, user.lockoutCount);
      const lockedUntil = new Date(now.getTime() + minutes * 60_000);
      await m.getRepository(StaffUser).update(userId, { failedAttempts: 0, lockedUntil, lockoutCount: user.lockoutCount + 1 });
      return { lockedUntil, lockedNow: true, lockoutCount: user.lockoutCount + 1 };
    });
  }

  /** A complete login: counters back to zero, the lock history forgotten. */
  async recordLogin(userId: string, now: Date): Promise<void> {
    await this.dataSource
      .getRepository(StaffUser)
      .update(userId, { failedAttempts: 0, lockoutCount: 0, lockedUntil: null, lastLoginAt: now });
  }

  /** Sets a new password after the policy check (400 naming the rule). */
  async setPassword(user: Pick<StaffUser, 'id' | 'username' | 'passwordHash'>, newPassword: string, now: Date): Promise<void> {
    const problem = passwordProblem(newPassword, user.username);
    if (problem) throw new BadRequestException(problem);
    if (await this.hasher.verify(user.passwordHash, newPassword)) {
      throw new BadRequestException('newPassword must differ from the current password');
    }
    await this.dataSource
      .getRepository(StaffUser)
      .update(user.id, { passwordHash: await this.hasher.hash(newPassword), mustChangePassword: false, passwordChangedAt: now });
  }

  /** Stores a new, not yet activated TOTP secret (encrypted, bound to the user). */
  /**
   * Key rotation: re-wraps every TOTP secret's data key still under an older KEK, in short
   * batches (SKIP LOCKED). The secrets' ciphertexts are untouched.
   */
  async rewrapTotpSecrets(currentVersion: number, batchSize = 500): Promise<number> {
    let done = 0;
    for (;;) {
      const count = await this.dataSource.transaction(async (m) => {
        const rows = await m.find(StaffUser, {
          select: { id: true, totpWrappedKey: true, totpKeyVersion: true },
          where: { totpKeyVersion: LessThan(currentVersion) },
          take: batchSize,
          lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
        });
        for (const row of rows) {
          if (!row.totpWrappedKey || row.totpKeyVersion === null) continue;
          const rewrapped = this.envelope.rewrap(row.totpWrappedKey, row.totpKeyVersion);
          await m.update(StaffUser, { id: row.id }, { totpWrappedKey: rewrapped.wrappedKey, totpKeyVersion: rewrapped.keyVersion });
        }
        return rows.length;
      });
      done += count;
      if (count === 0) return done;
    }
  }

  async storePendingTotpSecret(userId: string, secret: string): Promise<void> {
    const sealed = this.envelope.encrypt(Buffer.from(secret, 'utf8'), totpAad(userId));
    await this.dataSource.getRepository(StaffUser).update(userId, {
      totpCiphertext: sealed.ciphertext,
      totpWrappedKey: sealed.wrappedKey,
      totpKeyVersion: sealed.keyVersion,
      totpEnrolledAt: null,
      lastTotpStep: null,
    });
  }

  /** The decrypted TOTP secret, or null when none is stored. */
  totpSecret(user: Pick<StaffUser, 'id' | 'totpCiphertext' | 'totpWrappedKey' | 'totpKeyVersion'>): string | null {
    if (!user.totpCiphertext || !user.totpWrappedKey || user.totpKeyVersion === null) return null;
    const plain = this.envelope.decrypt(
      { ciphertext: user.totpCiphertext, wrappedKey: user.totpWrappedKey, keyVersion: user.totpKeyVersion },
      totpAad(user.id),
    );
    try {
      return plain.toString('utf8');
    } finally {
      plain.fill(0);
    }
  }

  /**
   * Marks a TOTP time step as used, atomically: false when this step or a later one was used
   * already (a replayed code), even when two requests race with the same code.
   */
  async consumeTotpStep(userId: string, step: number, manager?: EntityManager): Promise<boolean> {
    const result = await (manager ?? this.dataSource.manager).query(
      `UPDATE staff_user SET last_totp_step = $2
        WHERE id = $1 AND (last_totp_step IS NULL OR last_totp_step < $2)
        RETURNING id`,
      [userId, step],
    );
    return updatedRows(result) === 1;
  }

  /**
   * Activates the pending secret with the step of the code just checked, and issues fresh
   * recovery codes (returned once, stored hashed). False when the step was used already.
   */
  async activateTotp(userId: string, step: number, now: Date): Promise<string[] | null> {
    return this.dataSource.transaction(async (m) => {
      if (!(await this.consumeTotpStep(userId, step, m))) return null;
      await m.getRepository(StaffUser).update(userId, { totpEnrolledAt: now });
      return this.replaceRecoveryCodes(userId, now, m);
    });
  }

  async replaceRecoveryCodes(userId: string, now: Date, manager: EntityManager): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await manager.getRepository(RecoveryCode).delete({ userId });
    await manager
      .getRepository(RecoveryCode)
      .insert(codes.map((code) => ({ userId, codeHash: recoveryCodeHash(code), createdAt: now, usedAt: null })));
    return codes;
  }

  /** Uses a recovery code once: true only for an unused code of this user. Returns codes left. */
  async consumeRecoveryCode(userId: string, code: string, now: Date): Promise<{ ok: boolean; remaining: number }> {
    const result = await this.dataSource.query(
      `UPDATE staff_recovery_code SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id`,
      [userId, recoveryCodeHash(code), now],
    );
    const unused: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM staff_recovery_code WHERE user_id = $1 AND used_at IS NULL`,
      [userId],
    );
    return { ok: updatedRows(result) === 1, remaining: unused[0]!.n };
  }
}
