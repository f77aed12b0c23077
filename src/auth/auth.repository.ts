import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, LessThan, Not } from 'typeorm';
import { Role } from '@/common/auth/roles';
import { preparedQuery, PreparedStatement } from '@/database/prepared-query';
import { AuthChallenge, ChallengeStage } from './challenge.entity';
import { AuthSession } from './session.entity';

/**
 * On every request, so a named prepared statement (plan cached per connection): planning this
 * join cost PostgreSQL about three times its execution (see src/database/prepared-query.ts).
 *
 * The one named exception to "a module reads only its own tables" (docs/architecture.md): the
 * session lookup joins `staff_user` (the users module's table) because it runs on every request;
 * going through UsersService would be a second query on the hot path.
 */
const RESOLVE: PreparedStatement = {
  name: 'session_resolve',
  text: `SELECT s.id AS session_id, s.last_seen_at, s.step_up_at, s.expires_at,
                u.id AS user_id, u.username, u.roles, u.training_version, u.training_acknowledged_at, u.firm_id
           FROM auth_session s
           JOIN staff_user u ON u.id = s.user_id
          WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.status = 'active'`,
};

export interface ResolvedSessionRow {
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

/** The auth module's SQL: sessions and login challenges (services hold the rules). */
@Injectable()
export class AuthRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private db(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  // ---------------------------------------------------------------- sessions

  /** Stores a new session; this person's dead sessions (past their lifetime or idle since before `idleSince`) go first. */
  async createSession(
    session: Pick<AuthSession, 'tokenHash' | 'userId' | 'createdAt' | 'lastSeenAt' | 'expiresAt' | 'stepUpAt' | 'clientAddress'>,
    idleSince: Date,
    manager?: EntityManager,
  ): Promise<string> {
    const repo = this.db(manager).getRepository(AuthSession);
    await repo.delete({ userId: session.userId, expiresAt: LessThan(session.createdAt) });
    await repo.delete({ userId: session.userId, lastSeenAt: LessThan(idleSince) });
    return (await repo.save(session)).id;
  }

  /** The live session behind a token hash, joined to its active account (tier 3: a named prepared statement). */
  async resolveSession(hash: Buffer, now: Date, idleSince: Date): Promise<ResolvedSessionRow | undefined> {
    return (await preparedQuery<ResolvedSessionRow>(this.dataSource, RESOLVE, [hash, now, idleSince]))[0];
  }

  async touchSession(sessionId: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE auth_session SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2`, [sessionId, now]);
  }

  /** Marks a fresh step-up; answers the session's person (undefined when the session is gone). */
  async stepUpSession(sessionId: string, now: Date): Promise<string | undefined> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(AuthSession)
      .set({ stepUpAt: now, lastSeenAt: now })
      .where('id = :sessionId', { sessionId })
      .returning('user_id')
      .execute();
    return ownerOf(result.raw);
  }

  /** Deletes a session; answers its person (undefined when it was gone already). */
  async deleteSession(sessionId: string): Promise<string | undefined> {
    const result = await this.dataSource.createQueryBuilder().delete().from(AuthSession).where('id = :sessionId', { sessionId }).returning('user_id').execute();
    return ownerOf(result.raw);
  }

  async sessionExpiresAt(sessionId: string): Promise<Date | null> {
    return (await this.dataSource.getRepository(AuthSession).findOneBy({ id: sessionId }))?.expiresAt ?? null;
  }

  async deleteSessionsOf(userId: string, exceptSessionId?: string): Promise<void> {
    await this.dataSource.getRepository(AuthSession).delete({ userId, ...(exceptSessionId ? { id: Not(exceptSessionId) } : {}) });
  }

  // ---------------------------------------------------------------- login challenges

  /** Stores a new challenge; the person's earlier one and every expired one go first. */
  async replaceChallenge(
    challenge: { tokenHash: Buffer; userId: string; stage: ChallengeStage; createdAt: Date; expiresAt: Date },
    manager?: EntityManager,
  ): Promise<void> {
    const repo = this.db(manager).getRepository(AuthChallenge);
    await repo.delete({ userId: challenge.userId });
    await repo.delete({ expiresAt: LessThan(challenge.createdAt) });
    await repo.insert(challenge);
  }

  findChallenge(hash: Buffer): Promise<AuthChallenge | null> {
    return this.dataSource.getRepository(AuthChallenge).findOneBy({ tokenHash: hash });
  }

  /** One more code attempt, atomically: false when the challenge is gone, expired or has used `maxAttempts`. */
  async reserveChallengeAttempt(id: string, maxAttempts: number, now: Date): Promise<boolean> {
    const result = await this.dataSource.query(
      `UPDATE auth_challenge SET attempts = attempts + 1 WHERE id = $1 AND attempts < $2 AND expires_at > $3 RETURNING id`,
      [id, maxAttempts, now],
    );
    return Array.isArray(result) && result[1] === 1;
  }

  /** Deletes the challenge, atomically: true for exactly one caller. */
  async consumeChallenge(id: string): Promise<boolean> {
    const result = await this.dataSource.query(`DELETE FROM auth_challenge WHERE id = $1 RETURNING id`, [id]);
    return Array.isArray(result) && result[1] === 1;
  }

  async deleteChallenge(id: string, manager?: EntityManager): Promise<void> {
    await this.db(manager).getRepository(AuthChallenge).delete(id);
  }

  async deleteChallengesOf(userId: string): Promise<void> {
    await this.dataSource.getRepository(AuthChallenge).delete({ userId });
  }
}

/** The person of the first RETURNING row of a session change. */
function ownerOf(raw: unknown): string | undefined {
  return Array.isArray(raw) ? (raw[0] as { user_id?: string } | undefined)?.user_id : undefined;
}
