import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { EntityManager } from 'typeorm';
import { Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { STAFF_CHANGED, STAFF_SESSIONS_END, StaffChangedEvent, StaffSessionsEndEvent } from '@/users/users.events';
import { AuthRepository } from './auth.repository';
import { CacheTicket, SessionCache, VerifiedSession } from './session-cache';
import { newToken, tokenHash } from './session-token';

/** last_seen_at is written at most this often per session. */
export const TOUCH_INTERVAL_MS = 60_000;

/**
 * Sessions: opaque random tokens stored as SHA-256, an idle timeout (SESSION_IDLE_MINUTES)
 * and an absolute lifetime (SESSION_MAX_HOURS). resolve() sits on every request (the reveal
 * path included): one query on the token's unique index joined to the user, and a write at
 * most once a minute; a verified session is reused for SESSION_CACHE_MS (SessionCache) while the
 * person's generation is unchanged. Every change that ends or alters a session raises that
 * generation before its answer, so a deactivated account's sessions fail on the very next
 * request, on every instance. The SQL is in auth.repository.ts.
 */
@Injectable()
export class SessionService {
  private readonly idleMs: number;
  private readonly maxMs: number;

  constructor(
    private readonly repository: AuthRepository,
    private readonly clock: ClockService,
    private readonly cache: SessionCache,
    config: ConfigService<Env, true>,
  ) {
    this.idleMs = config.get('SESSION_IDLE_MINUTES', { infer: true }) * 60_000;
    this.maxMs = config.get('SESSION_MAX_HOURS', { infer: true }) * 3_600_000;
  }

  /** A new session; the second factor was just entered, so it starts stepped-up. */
  async create(userId: string, clientAddress: string | null, manager?: EntityManager): Promise<{ token: string; sessionId: string; expiresAt: Date }> {
    const now = this.clock.now();
    const token = newToken();
    const expiresAt = new Date(now.getTime() + this.maxMs);
    // Housekeeping, cheap (indexed): this person's dead sessions go when a new one starts.
    const sessionId = await this.repository.createSession(
      { tokenHash: tokenHash(token), userId, createdAt: now, lastSeenAt: now, expiresAt, stepUpAt: now, clientAddress },
      new Date(now.getTime() - this.idleMs),
      manager,
    );
    return { token, sessionId, expiresAt };
  }

  /** The caller behind a token, or null (unknown, idle, past its lifetime, account not active). */
  async resolve(token: string): Promise<Staff | null> {
    const now = this.clock.now();
    const hash = tokenHash(token);
    const at = now.getTime();
    const cached = await this.cache.lookup(hash.toString('base64'), at, (s) => at < s.expiresAt.getTime() && at - s.lastSeenAt.getTime() < TOUCH_INTERVAL_MS);
    if (!isTicket(cached)) return cached.staff;
    return this.read(hash, now, cached);
  }

  /** The session query (and the touch at most once a minute); the result goes to the cache. */
  private async read(hash: Buffer, now: Date, ticket: CacheTicket): Promise<Staff | null> {
    const row = await this.repository.resolveSession(hash, now, new Date(now.getTime() - this.idleMs));
    if (!row) {
      this.cache.store(ticket, ticket.userId ?? '', null, now.getTime());
      return null;
    }
    let lastSeenAt = row.last_seen_at;
    if (now.getTime() - lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      await this.repository.touchSession(row.session_id, now);
      lastSeenAt = now;
    }
    const staff: Staff = {
      userId: row.user_id,
      username: row.username,
      roles: row.roles,
      sessionId: row.session_id,
      stepUpAt: row.step_up_at,
      trainingAcknowledgedAt: row.training_acknowledged_at,
      trainingVersion: row.training_version,
      firmId: row.firm_id,
    };
    this.cache.store(ticket, row.user_id, { staff, lastSeenAt, expiresAt: row.expires_at }, now.getTime());
    return staff;
  }

  async stepUp(sessionId: string): Promise<Date> {
    const now = this.clock.now();
    await this.invalidateOwner(await this.repository.stepUpSession(sessionId, now));
    return now;
  }

  async end(sessionId: string): Promise<void> {
    await this.invalidateOwner(await this.repository.deleteSession(sessionId));
  }

  /** A session changed: its person's cached sessions go everywhere. */
  private async invalidateOwner(userId: string | undefined): Promise<void> {
    if (userId) await this.cache.invalidate(userId);
  }

  async expiresAt(sessionId: string): Promise<Date | null> {
    return this.repository.sessionExpiresAt(sessionId);
  }

  /** Every session of a person (deactivation, second-factor reset, password change) ends. */
  @OnEvent(STAFF_SESSIONS_END, { promisify: true, suppressErrors: false })
  async endAll(event: StaffSessionsEndEvent): Promise<void> {
    await this.repository.deleteSessionsOf(event.userId, event.exceptSessionId);
    await this.cache.invalidate(event.userId);
  }

  /** Roles or training changed: every instance reads this person's sessions afresh. */
  @OnEvent(STAFF_CHANGED, { promisify: true, suppressErrors: false })
  async staffChanged(event: StaffChangedEvent): Promise<void> {
    await this.cache.invalidate(event.userId);
  }
}

function isTicket(value: VerifiedSession | CacheTicket): value is CacheTicket {
  return 'key' in value;
}
