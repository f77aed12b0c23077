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
import { STAFF_SESSIONS_END, StaffSessionsEndEvent } from '@/users/users.events';
import { AuthSession } from './session.entity';
import { newToken, tokenHash } from './session-token';

/**
 * On every request, so a named prepared statement (plan cached per connection): planning this
 * join cost PostgreSQL about three times its execution (see src/database/prepared-query.ts).
 */
const RESOLVE: PreparedStatement = {
  name: 'session_resolve',
  text: `SELECT s.id AS session_id, s.last_seen_at, s.step_up_at,
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
 * most once a minute. A deactivated account's sessions fail there on the very next request.
 */
@Injectable()
export class SessionService {
  private readonly idleMs: number;
  private readonly maxMs: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: ClockService,
    config: ConfigService<Env, true>,
  ) {
    this.idleMs = config.get('SESSION_IDLE_MINUTES', { infer: true }) * 60_000;
    this.maxMs = config.get('SESSION_MAX_HOURS', { infer: true }) * 3_600_000;
  }

  /** A new session; the second factor was just entered, so it starts stepped-up. */
  async create(
    userId: string,
    clientAddress: string | null,
    manager?: EntityManager,
  ): Promise<{ token: string; sessionId: string; expiresAt: Date }> {
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
    const rows = await preparedQuery<ResolvedRow>(this.dataSource, RESOLVE, [tokenHash(token), now, new Date(now.getTime() - this.idleMs)]);
    const row = rows[0];
    if (!row) return null;
    if (now.getTime() - row.last_seen_at.getTime() >= TOUCH_INTERVAL_MS) {
      await this.dataSource.query(`UPDATE auth_session SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2`, [row.session_id, now]);
    }
    return {
      userId: row.user_id,
      username: row.username,
      roles: row.roles,
      sessionId: row.session_id,
      stepUpAt: row.step_up_at,
      trainingAcknowledgedAt: row.training_acknowledged_at,
      trainingVersion: row.training_version,
      firmId: row.firm_id,
    };
  }

  async stepUp(sessionId: string): Promise<Date> {
    const now = this.clock.now();
    await this.dataSource.getRepository(AuthSession).update(sessionId, { stepUpAt: now, lastSeenAt: now });
    return now;
  }

  async end(sessionId: string): Promise<void> {
    await this.dataSource.getRepository(AuthSession).delete(sessionId);
  }

  async expiresAt(sessionId: string): Promise<Date | null> {
    return (await this.dataSource.getRepository(AuthSession).findOneBy({ id: sessionId }))?.expiresAt ?? null;
  }

  /** Every session of a person (deactivation, second-factor reset, password change) ends. */
  @OnEvent(STAFF_SESSIONS_END, { promisify: true, suppressErrors: false })
  async endAll(event: StaffSessionsEndEvent): Promise<void> {
    await this.dataSource
      .getRepository(AuthSession)
      .delete({ userId: event.userId, ...(event.exceptSessionId ? { id: Not(event.exceptSessionId) } : {}) });
  }
}
