import { Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { Env } from '@/config/env.schema';

/**
 * argon2id at OWASP parameters (>= 19 MiB, >= 2 iterations, parallelism 1). argon2 runs on
 * libuv's thread pool, so hashing never blocks the event loop (reveals keep flowing).
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly options: argon2.Options & { type: 2; memoryCost: number; timeCost: number; parallelism: number };
  /** A real hash of a random password: unknown usernames are verified against it, so they take as long. */
  private dummyHash: Promise<string> | null = null;

  constructor(config: ConfigService<Env, true>) {
    this.options = {
      type: argon2.argon2id,
      memoryCost: config.get('ARGON2_MEMORY_KIB', { infer: true }),
      timeCost: config.get('ARGON2_TIME_COST', { infer: true }),
      parallelism: 1,
    };
  }

  onModuleInit(): void {
    this.dummyHash = this.hash(randomBytes(24).toString('base64url'));
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  /** False (never an error) for a malformed hash. */
  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /** Spends the same time as a real verification and always answers false. */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomBytes(24).toString('base64url'));
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** True when the stored hash was made with weaker parameters than the current settings. */
  needsRehash(hash: string): boolean {
    try {
      const { memoryCost, timeCost, parallelism } = this.options;
      return argon2.needsRehash(hash, { memoryCost, timeCost, parallelism });
    } catch {
      return true;
    }
  }
}
