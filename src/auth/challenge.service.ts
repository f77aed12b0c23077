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

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: ClockService,
    config: ConfigService<Env, true>,
  ) {
    this.ttlMs = config.get('LOGIN_CHALLENGE_MINUTES', { infer: true }) * 60_000;
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

  async remove(id: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).getRepository(AuthChallenge).delete(id);
  }

  async removeAllFor(userId: string): Promise<void> {
    await this.dataSource.getRepository(AuthChallenge).delete({ userId });
  }
}
