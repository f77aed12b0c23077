import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { Staff } from '@/common/auth/staff';
import { Env } from '@/config/env.schema';

/** What a verified session looked like when it was read from the database. */
export interface VerifiedSession {
  staff: Staff;
  lastSeenAt: Date;
  expiresAt: Date;
}

interface Entry {
  /** A token's person never changes, so it is kept even when nothing else is. */
  userId: string;
  session: VerifiedSession | null;
  /** The person's generation (see below) read BEFORE the database read that filled `session`. */
  generation: string;
  /** ms (ClockService time) when `session` was read. */
  cachedAt: number;
}

/** A miss: what to hand back to store() after the database read. */
export interface CacheTicket {
  key: string;
  userId: string | null;
  generation: string | null;
  epoch: number;
}

/** Entries kept at most (a map in insertion order: the oldest go first). */
const MAX_ENTRIES = 10_000;

/**
 * A short-lived cache of verified sessions, keyed by the token's SHA-256 (issue #21), so most
 * requests skip the session query. Correctness across instances comes from a **generation check**,
 * not from a message that might arrive late: every change that must be seen at once by every
 * instance (logout, deactivation, second-factor reset, password change, role change, step-up,
 * training acknowledgement) increments the person's generation in Redis (`INCR`) after its
 * transaction commits and before its answer is sent, and a cached session is used only when the
 * person's generation, read on this very request, still equals the one read before the session
 * was loaded from the database. So the next request on any instance, after the change's answer,
 * sees the new generation and goes to the database: no race with a notification in flight, no
 * flaky test. The cost is one Redis GET per request instead of one PostgreSQL query, and GETs of
 * requests that arrive together share one write (auto-pipelining).
 *
 * Failing closed: when Redis cannot answer (down, slow), nothing is served from the cache (every
 * request reads the database as before), and losing the connection empties the cache. A change
 * whose INCR fails (Redis away at that moment only) is seen by other instances within
 * SESSION_CACHE_MS at the latest; this instance forgets the person at once.
 *
 * The first request of a token is never cached (its person is not known before the read, so the
 * generation could not be read first); from the second on, it is.
 */
@Injectable()
export class SessionCache implements OnModuleDestroy {
  private readonly logger = new Logger(SessionCache.name);
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly prefix: string;
  private readonly redis: Redis | null;
  /** Incremented by every local invalidation: a read that overlapped one is not stored. */
  private epoch = 0;

  constructor(config: ConfigService<Env, true>) {
    this.ttlMs = config.get('SESSION_CACHE_MS', { infer: true });
    this.prefix = `${config.get('REDIS_PREFIX', { infer: true })}:session-generation:`;
    this.redis =
      this.ttlMs > 0
        ? new Redis(config.get('REDIS_URL', { infer: true }), {
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            connectTimeout: 1000,
            commandTimeout: 250,
            retryStrategy: () => 1000,
            lazyConnect: true, // connected on the first request (a CLI command never connects)
            // The generation GETs of requests that arrive in the same turn of the event loop go out
            // in one write (ioredis flushes on setImmediate): under load, fewer system calls per
            // request (docs/performance.md, issue #21). A failure still fails each GET (closed).
            enableAutoPipelining: true,
          })
        : null;
    this.redis?.on('error', () => undefined); // a Redis outage only turns the cache off
    this.redis?.on('close', () => this.clear());
  }

  get enabled(): boolean {
    return this.redis !== null;
  }

  /**
   * The cached session for this key when it may be used at `now`, else a ticket for store().
   * `fresh` decides whether a cached session still holds at `now` (expiry, idle, touch due).
   */
  async lookup(key: string, now: number, fresh: (s: VerifiedSession) => boolean): Promise<VerifiedSession | CacheTicket> {
    const epoch = this.epoch;
    const entry = this.entries.get(key);
    if (this.redis?.status === 'wait') this.redis.connect().catch(() => undefined);
    if (!this.redis || !entry) return { key, userId: null, generation: null, epoch };
    const generation = await this.generation(entry.userId);
    if (generation !== null && generation === entry.generation && entry.session && now - entry.cachedAt < this.ttlMs && fresh(entry.session)) {
      return entry.session;
    }
    return { key, userId: entry.userId, generation, epoch };
  }

  /** After the database read of a miss: remembers the person, and the session when it is safe to. */
  store(ticket: CacheTicket, userId: string, session: VerifiedSession | null, now: number): void {
    if (!this.redis) return;
    if (!session) {
      this.entries.delete(ticket.key);
      return;
    }
    const safe = ticket.userId === userId && ticket.generation !== null && ticket.epoch === this.epoch;
    this.entries.delete(ticket.key); // re-inserted last: the map's order is its age
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(ticket.key, { userId, session: safe ? session : null, generation: ticket.generation ?? '', cachedAt: now });
  }

  /**
   * Every instance's cached sessions of this person are dropped: call after the change committed
   * and before answering. Never throws (the change is committed; see the class comment).
   */
  async invalidate(userId: string): Promise<void> {
    this.forget(userId);
    if (!this.redis) return;
    try {
      const key = this.prefix + userId;
      await this.redis.multi().incr(key).expire(key, 86_400).exec();
    } catch (error) {
      this.logger.warn(
        `Session generation not raised in Redis (${(error as Error).message}): other instances may use cached sessions of this person for up to ${this.ttlMs} ms`,
      );
    }
    this.forget(userId); // a read that finished meanwhile must not survive either
  }

  clear(): void {
    this.epoch++;
    this.entries.clear();
  }

  async onModuleDestroy(): Promise<void> {
    this.redis?.disconnect();
  }

  private forget(userId: string): void {
    this.epoch++;
    for (const [key, entry] of this.entries) if (entry.userId === userId) this.entries.delete(key);
  }

  /** The person's generation ('' before any change), or null when Redis cannot tell now. */
  private async generation(userId: string): Promise<string | null> {
    try {
      return (await this.redis!.get(this.prefix + userId)) ?? '';
    } catch {
      return null;
    }
  }
}
