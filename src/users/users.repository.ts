import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, LessThan, MoreThan } from 'typeorm';
import { RecoveryCode } from './recovery-code.entity';
import { StaffUser } from './staff-user.entity';

/** TypeORM answers an UPDATE ... RETURNING on PostgreSQL with [rows, rowCount]. */
function updatedRows(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}

/**
 * The users module's SQL (staff_user, staff_recovery_code); UsersService and StaffCredentialsService
 * hold the rules (docs/architecture.md "Where SQL lives"). The login budgets' statements are in
 * login-budget.repository.ts. A method that takes a manager runs in the caller's transaction.
 */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private db(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  findById(id: string): Promise<StaffUser | null> {
    return this.dataSource.getRepository(StaffUser).findOneBy({ id });
  }

  findByUsername(username: string): Promise<StaffUser | null> {
    return this.dataSource.getRepository(StaffUser).findOneBy({ username });
  }

  /** The account, optionally locked for update until the caller's transaction ends. */
  load(m: EntityManager, id: string, forUpdate = false): Promise<StaffUser | null> {
    return m.getRepository(StaffUser).findOne({ where: { id }, ...(forUpdate ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** Whether any account (deactivated ones too) ever had this username. */
  usernameTaken(username: string, m: EntityManager): Promise<boolean> {
    return m.getRepository(StaffUser).existsBy({ username });
  }

  insert(values: Partial<StaffUser>, m: EntityManager): Promise<StaffUser> {
    return m.getRepository(StaffUser).save(values) as Promise<StaffUser>;
  }

  async update(id: string, values: Partial<StaffUser>, manager?: EntityManager): Promise<void> {
    await this.db(manager).getRepository(StaffUser).update(id, values);
  }

  /** Accounts in username order after `cursor`, at most `limit`. */
  page(filter: { status?: StaffUser['status']; cursor?: string }, limit: number): Promise<StaffUser[]> {
    return this.dataSource.getRepository(StaffUser).find({
      where: { ...(filter.status ? { status: filter.status } : {}), ...(filter.cursor ? { username: MoreThan(filter.cursor) } : {}) },
      order: { username: 'ASC' },
      take: limit,
    });
  }

  /** Active accounts with roles waiting for the responsible person, oldest request first. */
  withPendingRoles(): Promise<StaffUser[]> {
    return this.dataSource
      .getRepository(StaffUser)
      .createQueryBuilder('u')
      .where(`u.status = 'active' AND cardinality(u.pending_roles) > 0`)
      .orderBy('u.roles_requested_at', 'ASC')
      .getMany();
  }

  /** A transaction lock (pg_advisory_xact_lock) that serialises the changes under one rule. */
  async lockRule(m: EntityManager, key: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [key]);
  }

  /** Active admins other than this account. */
  async otherActiveAdmins(m: EntityManager, exceptId: string): Promise<number> {
    const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM staff_user WHERE status = 'active' AND 'admin' = ANY (roles) AND id <> $1`, [exceptId]);
    return n;
  }

  names(ids: string[]): Promise<Pick<StaffUser, 'id' | 'username' | 'displayName'>[]> {
    return this.dataSource.getRepository(StaffUser).find({ where: { id: In(ids) }, select: { id: true, username: true, displayName: true } });
  }

  /** Ids of accounts whose username or display name (white space removed) contains `squeezed`, in username order. */
  async idsMatching(squeezed: string, limit: number): Promise<string[]> {
    const like = `%${squeezed.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    const rows = await this.dataSource
      .getRepository(StaffUser)
      .createQueryBuilder('u')
      .select('u.id', 'id')
      .where("u.username ILIKE :like OR regexp_replace(u.display_name, '[\\s\u3000]+', '', 'g') ILIKE :like", { like })
      .orderBy('u.username', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  // --- second factor

  /** How many TOTP secrets are under each KEK version. */
  async totpKeyVersionCounts(): Promise<Record<string, number>> {
    const rows = await this.dataSource
      .getRepository(StaffUser)
      .createQueryBuilder('u')
      .select('u.totpKeyVersion', 'version')
      .addSelect('count(*)', 'n')
      .where('u.totpKeyVersion IS NOT NULL')
      .groupBy('u.totpKeyVersion')
      .getRawMany<{ version: number; n: string }>();
    return Object.fromEntries(rows.map((r) => [String(r.version), Number(r.n)]));
  }

  /** Up to `limit` TOTP keys wrapped under a KEK older than `version`, locked (others skipped). */
  totpKeysBefore(m: EntityManager, version: number, limit: number): Promise<Pick<StaffUser, 'id' | 'totpWrappedKey' | 'totpKeyVersion'>[]> {
    return m.find(StaffUser, {
      select: { id: true, totpWrappedKey: true, totpKeyVersion: true },
      where: { totpKeyVersion: LessThan(version) },
      take: limit,
      lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
    });
  }

  async setTotpKey(m: EntityManager, id: string, wrappedKey: Buffer, keyVersion: number): Promise<void> {
    await m.update(StaffUser, { id }, { totpWrappedKey: wrappedKey, totpKeyVersion: keyVersion });
  }

  /** Marks a TOTP step used, atomically: false when this step or a later one was used already. */
  async consumeTotpStep(userId: string, step: number, manager?: EntityManager): Promise<boolean> {
    const result = await this.db(manager).query(
      `UPDATE staff_user SET last_totp_step = $2
        WHERE id = $1 AND (last_totp_step IS NULL OR last_totp_step < $2)
        RETURNING id`,
      [userId, step],
    );
    return updatedRows(result) === 1;
  }

  // --- recovery codes

  async replaceRecoveryCodes(
    userId: string,
    rows: Pick<RecoveryCode, 'userId' | 'codeHash' | 'createdAt' | 'usedAt'>[],
    manager: EntityManager,
  ): Promise<void> {
    await this.deleteRecoveryCodes(userId, manager);
    await manager.getRepository(RecoveryCode).insert(rows);
  }

  async deleteRecoveryCodes(userId: string, manager: EntityManager): Promise<void> {
    await manager.getRepository(RecoveryCode).delete({ userId });
  }

  /** Uses an unused code once; true when this call used it. */
  async useRecoveryCode(userId: string, codeHash: Buffer, now: Date): Promise<boolean> {
    const result = await this.dataSource.query(
      `UPDATE staff_recovery_code SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id`,
      [userId, codeHash, now],
    );
    return updatedRows(result) === 1;
  }

  async unusedRecoveryCodes(userId: string): Promise<number> {
    const unused: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n FROM staff_recovery_code WHERE user_id = $1 AND used_at IS NULL`, [
      userId,
    ]);
    return unused[0]!.n;
  }
}
