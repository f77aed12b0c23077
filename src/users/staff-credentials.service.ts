import { BadRequestException, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Env } from '@/config/env.schema';
import { EnvelopeService } from '@/crypto/envelope.service';
import { BackoffRule, LoginBudget } from './lockout';
import { LoginBudgetRepository, Reservation } from './login-budget.repository';
import { PasswordHasher } from './password-hasher.service';
import { passwordProblem } from './password-policy';
import { StaffUser, totpAad } from './staff-user.entity';
import { UsersRepository } from './users.repository';

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
  return createHash('sha256')
    .update(code.toLowerCase().replace(/[^a-z2-7]/g, ''))
    .digest();
}

/**
 * The credential state of staff accounts: password, lockout counters, the encrypted TOTP
 * secret and its last used step, recovery codes, training acknowledgement. The auth module
 * drives the login flow through this service; it never touches the users' tables itself
 * (except the session lookup, which joins staff_user in one query for speed).
 */
@Injectable()
export class StaffCredentialsService {
  private readonly rules: Record<LoginBudget, BackoffRule>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: UsersRepository,
    private readonly envelope: EnvelopeService,
    private readonly hasher: PasswordHasher,
    config: ConfigService<Env, true>,
  ) {
    const password: BackoffRule = {
      free: config.get('LOCKOUT_THRESHOLD', { infer: true }),
      baseSeconds: config.get('LOGIN_BACKOFF_BASE_SECONDS', { infer: true }),
      capSeconds: config.get('LOGIN_BACKOFF_MAX_MINUTES', { infer: true }) * 60,
    };
    this.rules = {
      password,
      'known-password': password,
      factor: {
        free: config.get('SECOND_FACTOR_THRESHOLD', { infer: true }),
        baseSeconds: config.get('SECOND_FACTOR_BACKOFF_BASE_SECONDS', { infer: true }),
        capSeconds: config.get('SECOND_FACTOR_BACKOFF_MAX_MINUTES', { infer: true }) * 60,
      },
    };
  }

  findByUsername(username: string): Promise<StaffUser | null> {
    return this.repo.findByUsername(username);
  }

  findById(id: string): Promise<StaffUser | null> {
    return this.repo.findById(id);
  }

  /**
   * Checks a password; for an unknown user (null) it verifies against a dummy hash so the
   * answer takes the same time. Upgrades the stored hash when the settings got stronger.
   */
  async checkPassword(user: StaffUser | null, password: string): Promise<boolean> {
    if (!user) return this.hasher.verifyDummy(password);
    const ok = await this.hasher.verify(user.passwordHash, password);
    if (ok && this.hasher.needsRehash(user.passwordHash)) {
      await this.repo.update(user.id, { passwordHash: await this.hasher.hash(password) });
    }
    return ok;
  }

  /** The password budget an attempt from this address draws on: its own one for known addresses. */
  passwordBudget(user: Pick<StaffUser, 'knownAddresses'>, address: string | null): LoginBudget {
    return address && user.knownAddresses?.includes(address) ? 'known-password' : 'password';
  }

  /**
   * Reserves one attempt of a budget before it is checked (see lockout.ts): counted as a failure
   * at once, atomically; `ok: false` (with the wait) while the budget is in backoff or the
   * account is not active. A correct attempt then calls clearBudget.
   */
  reserveAttempt(userId: string, budget: LoginBudget, now: Date): Promise<Reservation> {
    return new LoginBudgetRepository(this.dataSource.manager).reserve(userId, budget, this.rules[budget], now);
  }

  refundAttempt(userId: string, budget: LoginBudget, now: Date): Promise<void> {
    return new LoginBudgetRepository(this.dataSource.manager).refund(userId, budget, now);
  }

  clearBudget(userId: string, budget: LoginBudget): Promise<void> {
    return new LoginBudgetRepository(this.dataSource.manager).clear(userId, budget);
  }

  /** Seconds until a budget may be drawn on again (0: now). */
  budgetWaitSeconds(userId: string, budget: LoginBudget, now: Date): Promise<number> {
    return new LoginBudgetRepository(this.dataSource.manager).waitSeconds(userId, budget, this.rules[budget], now);
  }

  /** Whether a reserved failure count has just reached the budget's backoff (audit it once). */
  backoffStarts(budget: LoginBudget, failures: number): boolean {
    return failures === this.rules[budget].free;
  }

  backoffRule(budget: LoginBudget): BackoffRule {
    return this.rules[budget];
  }

  /** A complete login: the second-factor and known-address budgets whole, the time and the address remembered. */
  async recordLogin(userId: string, now: Date, address: string | null): Promise<void> {
    // The unknown-address password budget is not cleared (an outsider's failures decay on their own).
    await this.repo.update(userId, { factorFailedAttempts: 0, factorLockedUntil: null, knownFailedAttempts: 0, knownLockedUntil: null, lastLoginAt: now });
    if (address) await new LoginBudgetRepository(this.dataSource.manager).rememberAddress(userId, address);
  }

  /** Sets a new password after the policy check (400 naming the rule). */
  async setPassword(user: Pick<StaffUser, 'id' | 'username' | 'passwordHash'>, newPassword: string, now: Date): Promise<void> {
    const problem = passwordProblem(newPassword, user.username);
    if (problem) throw new BadRequestException(problem);
    if (await this.hasher.verify(user.passwordHash, newPassword)) {
      throw new BadRequestException({ code: 'password.unchanged', message: 'newPassword must differ from the current password' });
    }
    await this.repo.update(user.id, { passwordHash: await this.hasher.hash(newPassword), mustChangePassword: false, passwordChangedAt: now });
  }

  /** Stores a new, not yet activated TOTP secret (encrypted, bound to the user). */
  /** How many TOTP secrets are under each KEK version (key retirement checks none is left). */
  async totpKeyVersionCounts(): Promise<Record<string, number>> {
    return this.repo.totpKeyVersionCounts();
  }

  /**
   * Key rotation: re-wraps every TOTP secret's data key still under an older KEK, in short
   * batches (SKIP LOCKED). The secrets' ciphertexts are untouched.
   */
  async rewrapTotpSecrets(currentVersion: number, batchSize = 500): Promise<number> {
    let done = 0;
    for (;;) {
      const count = await this.dataSource.transaction(async (m) => {
        const rows = await this.repo.totpKeysBefore(m, currentVersion, batchSize);
        for (const row of rows) {
          if (!row.totpWrappedKey || row.totpKeyVersion === null) continue;
          const rewrapped = this.envelope.rewrap(row.totpWrappedKey, row.totpKeyVersion);
          await this.repo.setTotpKey(m, row.id, rewrapped.wrappedKey, rewrapped.keyVersion);
        }
        return rows.length;
      });
      done += count;
      if (count === 0) return done;
    }
  }

  async storePendingTotpSecret(userId: string, secret: string): Promise<void> {
    const sealed = this.envelope.encrypt(Buffer.from(secret, 'utf8'), totpAad(userId));
    await this.repo.update(userId, {
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
    return this.repo.consumeTotpStep(userId, step, manager);
  }

  /**
   * Activates the pending secret with the step of the code just checked, and issues fresh
   * recovery codes (returned once, stored hashed). False when the step was used already.
   */
  async activateTotp(userId: string, step: number, now: Date): Promise<string[] | null> {
    return this.dataSource.transaction(async (m) => {
      if (!(await this.consumeTotpStep(userId, step, m))) return null;
      await this.repo.update(userId, { totpEnrolledAt: now }, m);
      return this.replaceRecoveryCodes(userId, now, m);
    });
  }

  async replaceRecoveryCodes(userId: string, now: Date, manager: EntityManager): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.repo.replaceRecoveryCodes(
      userId,
      codes.map((code) => ({ userId, codeHash: recoveryCodeHash(code), createdAt: now, usedAt: null })),
      manager,
    );
    return codes;
  }

  /** Uses a recovery code once: true only for an unused code of this user. Returns codes left. */
  async consumeRecoveryCode(userId: string, code: string, now: Date): Promise<{ ok: boolean; remaining: number }> {
    const ok = await this.repo.useRecoveryCode(userId, recoveryCodeHash(code), now);
    return { ok, remaining: await this.repo.unusedRecoveryCodes(userId) };
  }
}
