import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, LessThan } from 'typeorm';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { AuthChallenge, ChallengeStage } from './challenge.entity';
import { newToken, tokenHash } from './session-token';

/** Login challenges: random tokens (stored hashed) that carry a person from one login step to the next. */
@Injectable()
export class ChallengeService {
  private readonly ttlMs: number;
  private readonly codeAttempts: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: ClockService,
    config: ConfigService<Env, true>,
  ) {
    this.ttlMs = config.get('LOGIN_CHALLENGE_MINUTES', { infer: true }) * 60_000;
    this.codeAttempts = config.get('LOGIN_CHALLENGE_CODE_ATTEMPTS', { infer: true });
  }

  /** A new challenge for this person; any earlier one (and anything expired) is removed. */
  async issue(userId: string, stage: ChallengeStage, manager?: EntityManager): Promise<string> {
    const now = this.clock.now();
    const repo = (manager ?? this.dataSource.manager).getRepository(AuthChallenge);
    await repo.delete({ userId });
    await repo.delete({ expiresAt: LessThan(now) });
    const token = newToken();
    await repo.insert({ tokenHash: tokenHash(token), userId, stage, createdAt: now, expiresAt: new Date(now.getTime() + this.ttlMs) });
    return token;
  }

  /** The live challenge behind a token, or null. */
  async find(token: string): Promise<AuthChallenge | null> {
    if (!/^[A-Za-z0-9_-]{20,200}$/.test(token)) return null;
    const found = await this.dataSource.getRepository(AuthChallenge).findOneBy({ tokenHash: tokenHash(token) });
    return found && found.expiresAt > this.clock.now() ? found : null;
  }

  /**
   * Reserves one code attempt on a challenge, atomically, before the code is checked: false when
   * the challenge is gone, expired or has used up LOGIN_CHALLENGE_CODE_ATTEMPTS.
   */
  async reserveAttempt(id: string): Promise<boolean> {
    const result = await this.dataSource.query(
      `UPDATE auth_challenge SET attempts = attempts + 1 WHERE id = $1 AND attempts < $2 AND expires_at > $3 RETURNING id`,
      [id, this.codeAttempts, this.clock.now()],
    );
    return Array.isArray(result) && result[1] === 1;
  }

  /** Uses the challenge up, atomically: true for exactly one caller (the one that may finish the login). */
  async consume(id: string): Promise<boolean> {
    const result = await this.dataSource.query(`DELETE FROM auth_challenge WHERE id = $1 RETURNING id`, [id]);
    return Array.isArray(result) && result[1] === 1;
  }

  async remove(id: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).getRepository(AuthChallenge).delete(id);
  }

  async removeAllFor(userId: string): Promise<void> {
    await this.dataSource.getRepository(AuthChallenge).delete({ userId });
  }
}
