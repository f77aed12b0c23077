import { HttpStatus, Injectable, OnModuleDestroy, ServiceUnavailableException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Env } from '@/config/env.schema';
import { HashAdmission, HashingBusyError } from './hash-admission';
import { HashWorkerPool } from './hash-worker-pool';

/** The stable code of the 503 a caller gets when password hashing is at its limit (the console retries it). */
export const HASHING_BUSY_CODE = 'auth.busy';

/** 503 with Retry-After (seconds); the global filter copies `headers` onto the response. */
export class HashingBusyException extends ServiceUnavailableException {
  readonly headers: Record<string, string>;

  constructor(readonly retryAfterSeconds: number) {
    super({
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      code: HASHING_BUSY_CODE,
      error: 'Service Unavailable',
      message: `Many people are logging in right now: try again in ${retryAfterSeconds} seconds`,
    });
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}

/** Half the cores (at least one): a login storm can never take more than that from the other work. */
export function defaultHashConcurrency(cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2));
}

/** argon2id's parameters from a PHC string ($argon2id$v=19$m=19456,t=2,p=1$salt$hash), or null. */
export function argon2Parameters(hash: string): { type: string; version: number; m: number; t: number; p: number } | null {
  const match = /^\$(argon2(?:id|i|d))\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash);
  if (!match) return null;
  return { type: match[1]!, version: Number(match[2]), m: Number(match[3]), t: Number(match[4]), p: Number(match[5]) };
}

/**
 * argon2id at OWASP parameters (>= 19 MiB, >= 2 iterations, parallelism 1), with admission
 * control (issue #21). Hashes run on PASSWORD_HASH_CONCURRENCY worker threads of their own
 * (default: half the cores) at a lowered OS priority (PASSWORD_HASH_NICE), so a login storm
 * takes at most that share of the machine and yields to the threads serving requests; at
 * most PASSWORD_HASH_QUEUE callers wait, and a caller that would wait longer than
 * PASSWORD_HASH_MAX_WAIT_MS gets 503 `auth.busy` with Retry-After at once, before any work.
 * Every caller (login, password change, account creation) goes through here unchanged.
 */
@Injectable()
export class PasswordHasher implements OnModuleDestroy {
  private readonly options: { memoryCost: number; timeCost: number; parallelism: number };
  private readonly admission: HashAdmission;
  private readonly nice: number;
  private pool: HashWorkerPool | null = null;
  /**
   * A real hash of a random password at the current parameters: unknown usernames are verified
   * against it, so they take as long. Made on first use (a process that never checks a password,
   * such as most CLI commands, starts no hashing thread).
   */
  private dummyHash: Promise<string> | null = null;

  constructor(config: ConfigService<Env, true>) {
    this.options = {
      memoryCost: config.get('ARGON2_MEMORY_KIB', { infer: true }),
      timeCost: config.get('ARGON2_TIME_COST', { infer: true }),
      parallelism: 1,
    };
    this.admission = new HashAdmission({
      concurrency: config.get('PASSWORD_HASH_CONCURRENCY', { infer: true }) || defaultHashConcurrency(),
      maxQueue: config.get('PASSWORD_HASH_QUEUE', { infer: true }),
      maxWaitMs: config.get('PASSWORD_HASH_MAX_WAIT_MS', { infer: true }),
    });
    this.nice = config.get('PASSWORD_HASH_NICE', { infer: true });
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }

  /** Threads, waiting callers, the average hash time and refusals so far (metrics, tests). */
  stats(): ReturnType<HashAdmission['stats']> & { concurrency: number } {
    return { ...this.admission.stats(), concurrency: this.admission.limits.concurrency };
  }

  async hash(password: string): Promise<string> {
    return (await this.admitted({ op: 'hash', password, ...this.options })) as string;
  }

  /** False (never an error) for a malformed hash; 503 HashingBusyException when hashing is at its limit. */
  async verify(hash: string, password: string): Promise<boolean> {
    if (!argon2Parameters(hash)) return false;
    try {
      return (await this.admitted({ op: 'verify', hash, password })) === true;
    } catch (error) {
      if (error instanceof HashingBusyException) throw error;
      return false;
    }
  }

  /** Spends the same time as a real verification and always answers false. */
  async verifyDummy(password: string): Promise<false> {
    if (!this.dummyHash) {
      this.dummyHash = this.hash(randomBytes(24).toString('base64url'));
      this.dummyHash.catch(() => (this.dummyHash = null)); // refused as busy: made again next time
    }
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** True when the stored hash was made with weaker parameters than the current settings. */
  needsRehash(hash: string): boolean {
    const p = argon2Parameters(hash);
    if (!p) return true;
    return p.type !== 'argon2id' || p.version !== 0x13 || p.m < this.options.memoryCost || p.t < this.options.timeCost;
  }

  private async admitted(job: Parameters<HashWorkerPool['run']>[0]): Promise<string | boolean> {
    try {
      return await this.admission.run(() => this.workers().run(job));
    } catch (error) {
      if (error instanceof HashingBusyError) throw new HashingBusyException(error.retryAfterSeconds);
      throw error;
    }
  }

  /** Started on first use (a CLI command that never hashes starts no threads). */
  private workers(): HashWorkerPool {
    this.pool ??= new HashWorkerPool(this.admission.limits.concurrency, this.nice);
    return this.pool;
  }
}
