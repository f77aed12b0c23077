import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, LessThan, Not } from 'typeorm';
import { Role } from '@/common/auth/roles';
import { Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { preparedQuery, PreparedStatement } from '@/database/prepared-query';
import { STAFF_CHANGED, STAFF_SESSIONS_END, StaffChangedEvent, StaffSessionsEndEvent } from '@/users/users.events';
import { CacheTicket, SessionCache, VerifiedSession } from './session-cache';
import { AuthSession } from './session.entity';
import { newToken, tokenHash } from './session-token';

/**
 * On every request, so a named prepared statement (plan cached per connection): planning this
 * join cost PostgreSQL about three times its execution (see src/database/prepared-query.ts).
 */
const RESOLVE: PreparedStatement = {
  name: 'session_resolve',
  text: `SELECT s.id AS session_id, s.last_seen_at, s.step_up_at, s.expires_at,
                u.id AS user_id, u.username, u.roles, u.training_version, u.training_acknowledged_at, u.firm_id
           FROM auth_session s
           JOIN staff_user u ON u.id = s.user_id
          WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.status = 'active'`,
};

/** last_seen_at is written at most this often per session. */
export const TOUCH_INTERVAL_MS = 60_000;

interface ResolvedRow {
  session_id: string;
  last_seen_at: Date;
  expires_at: Date;
  step_up_at: Date | null;
  user_id: string;
  username: string;
  roles: Role[];
  training_version: string | null;
  training_acknowledged_at: Date | null;
  firm_id: string | null;
}

/**
 * Sessions: opaque random tokens stored as SHA-256, an idle timeout (SESSION_IDLE_MINUTES)
 * and an absolute lifetime (SESSION_MAX_HOURS). resolve() sits on every request (the reveal
 * path included): one query on the token's unique index joined to the user, and a write at
 * most once a minute; a verified session is reused for SESSION_CACHE_MS (SessionCache) while the
 * person's generation is unchanged. Every change that ends or alters a session raises that
 * generation before its answer, so a deactivated account's sessions fail on the very next
 * request, on every instance.
 */
@Injectable()
export class SessionService {
  private readonly idleMs: number;
  private readonly maxMs: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
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
    const repo = (manager ?? this.dataSource.manager).getRepository(AuthSession);
    // Housekeeping, cheap (indexed): this person's dead sessions go when a new one starts.
    await repo.delete({ userId, expiresAt: LessThan(now) });
    await repo.delete({ userId, lastSeenAt: LessThan(new Date(now.getTime() - this.idleMs)) });
    const saved = await repo.save({ tokenHash: tokenHash(token), userId, createdAt: now, lastSeenAt: now, expiresAt, stepUpAt: now, clientAddress });
    return { token, sessionId: saved.id, expiresAt };
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
    const rows = await preparedQuery<ResolvedRow>(this.dataSource, RESOLVE, [hash, now, new Date(now.getTime() - this.idleMs)]);
    const row = rows[0];
    if (!row) {
      this.cache.store(ticket, ticket.userId ?? '', null, now.getTime());
      return null;
    }
    let lastSeenAt = row.last_seen_at;
    if (now.getTime() - lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      await this.dataSource.query(`UPDATE auth_session SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2`, [row.session_id, now]);
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
    const result = await this.dataSource
      .createQueryBuilder()
      .update(AuthSession)
      .set({ stepUpAt: now, lastSeenAt: now })
      .where('id = :sessionId', { sessionId })
      .returning('user_id')
      .execute();
    await this.invalidateOwner(result.raw);
    return now;
  }

  async end(sessionId: string): Promise<void> {
    const result = await this.dataSource.createQueryBuilder().delete().from(AuthSession).where('id = :sessionId', { sessionId }).returning('user_id').execute();
    await this.invalidateOwner(result.raw);
  }

  /** The RETURNING rows of a session change: its person's cached sessions go everywhere. */
  private async invalidateOwner(raw: unknown): Promise<void> {
    const userId = Array.isArray(raw) ? (raw[0] as { user_id?: string } | undefined)?.user_id : undefined;
    if (userId) await this.cache.invalidate(userId);
  }

  async expiresAt(sessionId: string): Promise<Date | null> {
    return (await this.dataSource.getRepository(AuthSession).findOneBy({ id: sessionId }))?.expiresAt ?? null;
  }

  /** Every session of a person (deactivation, second-factor reset, password change) ends. */
  @OnEvent(STAFF_SESSIONS_END, { promisify: true, suppressErrors: false })
  async endAll(event: StaffSessionsEndEvent): Promise<void> {
    await this.dataSource.getRepository(AuthSession).delete({ userId: event.userId, ...(event.exceptSessionId ? { id: Not(event.exceptSessionId) } : {}) });
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
