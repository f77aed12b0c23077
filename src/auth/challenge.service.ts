import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { AuthRepository } from './auth.repository';
import { AuthChallenge, ChallengeStage } from './challenge.entity';
import { newToken, tokenHash } from './session-token';

/** Login challenges: random tokens (stored hashed) that carry a person from one login step to the next. */
@Injectable()
export class ChallengeService {
  private readonly ttlMs: number;
  private readonly codeAttempts: number;

  constructor(
    private readonly repository: AuthRepository,
    private readonly clock: ClockService,
    config: ConfigService<Env, true>,
  ) {
    this.ttlMs = config.get('LOGIN_CHALLENGE_MINUTES', { infer: true }) * 60_000;
    this.codeAttempts = config.get('LOGIN_CHALLENGE_CODE_ATTEMPTS', { infer: true });
  }

  /** A new challenge for this person; any earlier one (and anything expired) is removed. */
  async issue(userId: string, stage: ChallengeStage, manager?: EntityManager): Promise<string> {
    const now = this.clock.now();
    const token = newToken();
    await this.repository.replaceChallenge(
      { tokenHash: tokenHash(token), userId, stage, createdAt: now, expiresAt: new Date(now.getTime() + this.ttlMs) },
      manager,
    );
    return token;
  }

  /** The live challenge behind a token, or null. */
  async find(token: string): Promise<AuthChallenge | null> {
    if (!/^[A-Za-z0-9_-]{20,200}$/.test(token)) return null;
    const found = await this.repository.findChallenge(tokenHash(token));
    return found && found.expiresAt > this.clock.now() ? found : null;
  }

  /**
   * Reserves one code attempt on a challenge, atomically, before the code is checked: false when
   * the challenge is gone, expired or has used up LOGIN_CHALLENGE_CODE_ATTEMPTS.
   */
  async reserveAttempt(id: string): Promise<boolean> {
    return this.repository.reserveChallengeAttempt(id, this.codeAttempts, this.clock.now());
  }

  /** Uses the challenge up, atomically: true for exactly one caller (the one that may finish the login). */
  async consume(id: string): Promise<boolean> {
    return this.repository.consumeChallenge(id);
  }

  async remove(id: string, manager?: EntityManager): Promise<void> {
    await this.repository.deleteChallenge(id, manager);
  }

  async removeAllFor(userId: string): Promise<void> {
    await this.repository.deleteChallengesOf(userId);
  }
}
