import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@/audit/audit.service';
import { Role } from '@/common/auth/roles';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { LegalDataService } from '@/config/legal-data.service';
import { CreateUserDto, ListUsersQuery, StaffAccountDto, StaffAccountPageDto, UpdateUserDto } from './dto/user.dto';
import { PasswordHasher } from './password-hasher.service';
import { StaffUser } from './staff-user.entity';
import { checkSeparationOfDuties, sodException, SodDecision } from './separation-of-duties';
import { isTrainingCurrent } from './training';
import { isValidUsername, normalizeUsername, USERNAME_RULE } from './username';
import { UsersRepository } from './users.repository';
import { STAFF_CHANGED, STAFF_SESSIONS_END, StaffChangedEvent, StaffSessionsEndEvent } from './users.events';

/** Serialises changes that could leave the vault without an active admin. */
const ADMIN_RULE_LOCK = '5570457453591626061';

type Actor = Pick<Staff, 'userId' | 'username' | 'roles'>;

/** Roles the responsible person approves before they take effect, once four eyes are set up (issue #19). */
export const ROLES_NEEDING_APPROVAL: readonly Role[] = ['clerk'];

/**
 * Staff accounts for admins: create, roles, display name, deactivation (offboarding),
 * second-factor reset, admin handover and the inventory. Every change is audited in the
 * same transaction as the change itself.
 */
@Injectable()
export class UsersService {
  private readonly dormantMs: number;
  private readonly trainingMonths: number;
  /** Whether new clerks wait for the responsible person; the approvals module supplies the rule. */
  private rolesNeedApproval: () => Promise<boolean> = async () => false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    private readonly legal: LegalDataService,
    private readonly events: EventEmitter2,
    config: ConfigService<Env, true>,
  ) {
    this.dormantMs = config.get('DORMANT_DAYS', { infer: true }) * 24 * 60 * 60_000;
    this.trainingMonths = config.get('TRAINING_VALID_MONTHS', { infer: true });
    this.onePersonCompany = config.get('SOD_ONE_PERSON_COMPANY', { infer: true });
  }

  private readonly onePersonCompany: boolean;

  /** Separation of duties for the roles an account will hold (granted and pending): see separation-of-duties.ts. */
  private separationOfDuties(roles: readonly Role[], actorId: string | null, targetId: string | null, rolesChanged: boolean): SodDecision {
    return checkSeparationOfDuties(roles, { actorId, targetId, rolesChanged, onePersonCompany: this.onePersonCompany });
  }

  /** An exception to separation of duties is written to the trail for the auditors. */
  private async flagSodException(
    decision: SodDecision,
    user: Pick<StaffUser, 'id' | 'username'>,
    roles: readonly Role[],
    actor: Actor | null,
    request: RequestMeta | null,
    m: EntityManager,
  ): Promise<void> {
    if (!decision.exception) return;
    await this.audit.record(
      {
        action: 'user.sod-exception',
        outcome: 'success',
        actor,
        actorUsername: actor ? undefined : 'cli',
        request,
        details: { userId: user.id, username: user.username, roles: [...roles], exception: decision.exception, basis: 'SOD_ONE_PERSON_COMPANY' },
      },
      m,
    );
  }

  /** The approvals module says when roles wait for approval (kept out of the constructor to avoid a cycle). */
  useRoleApprovalRule(rule: () => Promise<boolean>): void {
    this.rolesNeedApproval = rule;
  }

  /** Of the roles being added, those that must wait for the responsible person. */
  private async heldBack(added: Role[], via: 'api' | 'cli' | 'test-support', firmAccount = false): Promise<Role[]> {
    const held = firmAccount ? added : added.filter((r) => ROLES_NEEDING_APPROVAL.includes(r));
    if (held.length === 0 || via !== 'api') return [];
    return (await this.rolesNeedApproval()) ? held : [];
  }

  /** Creates an account with a random one-time password, returned once (must be changed at first login). */
  async create(
    dto: CreateUserDto,
    actor: Actor | null,
    request: RequestMeta | null,
    /** Where an account without an acting admin comes from (the CLI bootstrap, test support). */
    via: 'api' | 'cli' | 'test-support' = 'api',
    /** An outside firm's account (issue #19): every role waits for the responsible person. */
    options: { firmId?: string } = {},
  ): Promise<{ id: string; username: string; initialPassword: string }> {
    const username = String(normalizeUsername(dto.username));
    if (!isValidUsername(username)) throw new BadRequestException({ code: 'username.invalid', message: USERNAME_RULE });
    const initialPassword = randomBytes(18).toString('base64url');
    const passwordHash = await this.hasher.hash(initialPassword);
    const now = this.clock.now();
    const requested = [...new Set(dto.roles)];
    // the CLI bootstrap makes only an admin; test support builds fixtures with any roles
    const sod = via === 'api' ? this.separationOfDuties(requested, actor?.userId ?? null, null, true) : { exception: null };
    const pending = await this.heldBack(requested, via, !!options.firmId);
    return this.dataSource.transaction(async (m) => {
      if (await this.repo.usernameTaken(username, m)) {
        throw new ConflictException({ code: 'username.taken', message: 'username is already taken (usernames are never reused, even after deactivation)' });
      }
      const user = await this.repo.insert(
        {
          username,
          displayName: dto.displayName,
          roles: requested.filter((r) => !pending.includes(r)),
          pendingRoles: pending,
          rolesRequestedBy: pending.length ? (actor?.userId ?? null) : null,
          rolesRequestedAt: pending.length ? now : null,
          passwordHash,
          mustChangePassword: true,
          firmId: options.firmId ?? null,
          status: 'active',
          createdAt: now,
          createdBy: actor?.userId ?? null,
        },
        m,
      );
      await this.audit.record(
        {
          action: 'user.created',
          outcome: 'success',
          actor,
          actorUsername: actor ? undefined : via,
          request,
          details: {
            userId: user.id,
            username: user.username,
            roles: user.roles,
            via,
            ...(pending.length ? { pendingRoles: pending } : {}),
            ...(options.firmId ? { firmId: options.firmId } : {}),
          },
        },
        m,
      );
      await this.flagSodException(sod, user, requested, actor, request, m);
      return { id: user.id, username: user.username, initialPassword };
    });
  }

  async list(query: ListUsersQuery): Promise<StaffAccountPageDto> {
    const limit = query.limit ?? 100;
    const rows = await this.repo.page({ status: query.status, cursor: query.cursor }, limit + 1);
    const now = this.clock.now();
    const page = rows.slice(0, limit);
    return { items: page.map((u) => this.view(u, now)), nextCursor: rows.length > limit ? page[page.length - 1]!.username : null };
  }

  async get(id: string): Promise<StaffAccountDto> {
    return this.view(await this.load(this.dataSource.manager, id), this.clock.now());
  }

  /** Changes roles and/or display name. Removing admin from the last active admin is refused. */
  async update(id: string, dto: UpdateUserDto, actor: Actor, request: RequestMeta): Promise<StaffAccountDto> {
    const updated = await this.dataSource.transaction(async (m) => {
      await this.lockAdminRule(m);
      const user = await this.load(m, id, true);
      if (user.status !== 'active') throw new ConflictException({ code: 'user.deactivated', message: 'A deactivated account cannot be changed' });
      const before = [...user.roles];
      let held: Role[] = [];
      let sod: SodDecision = { exception: null };
      if (dto.roles) {
        const wanted = [...new Set(dto.roles)];
        sod = this.separationOfDuties([...new Set([...wanted, ...user.pendingRoles])], actor.userId, user.id, !sameRoles(before, wanted));
        if (before.includes('admin') && !wanted.includes('admin')) await this.assertAnotherAdmin(m, user.id, 'demoted');
        held = await this.heldBack(
          wanted.filter((r) => !before.includes(r)),
          'api',
          user.firmId !== null,
        );
        user.roles = wanted.filter((r) => !held.includes(r));
        if (held.length) {
          user.pendingRoles = [...new Set([...user.pendingRoles, ...held])];
          user.rolesRequestedBy = actor.userId;
          user.rolesRequestedAt = this.clock.now();
        }
      }
      if (dto.displayName !== undefined) user.displayName = dto.displayName;
      await this.repo.update(
        user.id,
        {
          roles: user.roles,
          displayName: user.displayName,
          pendingRoles: user.pendingRoles,
          rolesRequestedBy: user.rolesRequestedBy,
          rolesRequestedAt: user.rolesRequestedAt,
        },
        m,
      );
      const rolesChanged = dto.roles !== undefined && !sameRoles(before, user.roles);
      if (rolesChanged) {
        await this.audit.record(
          {
            action: 'user.roles-changed',
            outcome: 'success',
            actor,
            request,
            details: { userId: user.id, username: user.username, from: before, to: user.roles, ...(held.length ? { pendingRoles: held } : {}) },
          },
          m,
        );
      }
      if (rolesChanged && sod.exception && !sodException(before)) await this.flagSodException(sod, user, user.roles, actor, request, m);
      if (dto.displayName !== undefined) {
        await this.audit.record(
          { action: 'user.updated', outcome: 'success', actor, request, details: { userId: user.id, username: user.username, field: 'displayName' } },
          m,
        );
      }
      return { user, rolesChanged };
    });
    if (updated.rolesChanged) await this.staffChanged({ userId: id, reason: 'roles-changed' });
    return this.view(updated.user, this.clock.now());
  }

  /** Offboarding: the account can never log in again and every session ends at once. */
  async deactivate(id: string, reason: string, actor: Actor, request: RequestMeta): Promise<void> {
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      await this.lockAdminRule(m);
      const user = await this.load(m, id, true);
      if (user.status !== 'active') throw new ConflictException({ code: 'user.already-deactivated', message: 'This account is already deactivated' });
      if (user.roles.includes('admin')) await this.assertAnotherAdmin(m, user.id, 'deactivated');
      await this.repo.update(
        user.id,
        {
          status: 'deactivated',
          deactivatedAt: now,
          deactivationReason: reason,
          deactivatedBy: actor.userId,
        },
        m,
      );
      await this.audit.record(
        { action: 'user.deactivated', outcome: 'success', actor, request, details: { userId: user.id, username: user.username, reason, roles: user.roles } },
        m,
      );
    });
    // Sessions already fail (the session lookup requires an active account); this removes them.
    await this.endSessions({ userId: id, reason: 'deactivated' });
  }

  /** Lost authenticator: clears the secret and recovery codes; the next login enrols again. */
  async resetTotp(id: string, actor: Actor, request: RequestMeta): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const user = await this.load(m, id, true);
      if (user.status !== 'active') throw new ConflictException({ code: 'user.deactivated', message: 'A deactivated account cannot be changed' });
      await this.repo.update(
        user.id,
        {
          totpCiphertext: null,
          totpWrappedKey: null,
          totpKeyVersion: null,
          totpEnrolledAt: null,
          lastTotpStep: null,
        },
        m,
      );
      await this.repo.deleteRecoveryCodes(user.id, m);
      await this.audit.record({ action: 'auth.totp-reset', outcome: 'success', actor, request, details: { userId: user.id, username: user.username } }, m);
    });
    await this.endSessions({ userId: id, reason: 'totp-reset' });
  }

  /** Gives admin to another active person and takes it from the caller, in one audited step. */
  async handoverAdmin(targetId: string, actor: Actor, request: RequestMeta): Promise<StaffAccountDto> {
    if (targetId === actor.userId) throw new ConflictException({ code: 'handover.to-self', message: 'Hand the admin role over to someone else' });
    const target = await this.dataSource.transaction(async (m) => {
      await this.lockAdminRule(m);
      const to = await this.load(m, targetId, true);
      const from = await this.load(m, actor.userId, true);
      if (to.status !== 'active') throw new ConflictException({ code: 'handover.target-inactive', message: 'The new admin must be an active account' });
      if (!from.roles.includes('admin')) throw new ForbiddenException({ code: 'handover.not-admin', message: 'Only an admin can hand over the admin role' });
      const toRoles: Role[] = to.roles.includes('admin') ? to.roles : [...to.roles, 'admin'];
      const fromRoles = from.roles.filter((r) => r !== 'admin');
      const sod = this.separationOfDuties([...new Set([...toRoles, ...to.pendingRoles])], actor.userId, to.id, true);
      await this.flagSodException(sod, to, toRoles, actor, request, m);
      await this.repo.update(to.id, { roles: toRoles }, m);
      await this.repo.update(from.id, { roles: fromRoles }, m);
      await this.audit.record(
        {
          action: 'user.admin-handover',
          outcome: 'success',
          actor,
          request,
          details: { fromUserId: from.id, fromUsername: from.username, toUserId: to.id, toUsername: to.username, fromRoles, toRoles },
        },
        m,
      );
      return { ...to, roles: toRoles };
    });
    await this.staffChanged({ userId: target.id, reason: 'roles-changed' });
    await this.staffChanged({ userId: actor.userId, reason: 'roles-changed' });
    return this.view(target, this.clock.now());
  }

  /** Accounts with roles waiting for the responsible person. */
  async listPendingRoles(): Promise<StaffAccountDto[]> {
    const rows = await this.repo.withPendingRoles();
    const now = this.clock.now();
    return rows.map((u) => this.view(u, now));
  }

  /**
   * The responsible person grants (or declines) the roles an account waits for. Four eyes: the
   * person who asked for them, and the account holder, may not approve them, unless the
   * approvals policy waives four eyes (`selfAllowed`).
   */
  async decidePendingRoles(
    id: string,
    decision: 'approve' | 'decline',
    approver: Actor,
    options: { selfAllowed: boolean; note?: string },
    request: RequestMeta,
  ): Promise<StaffAccountDto> {
    const sameness = await this.dataSource.transaction(async (m) => {
      const user = await this.load(m, id, true);
      if (user.status !== 'active') throw new ConflictException({ code: 'user.deactivated', message: 'A deactivated account cannot be changed' });
      if (user.pendingRoles.length === 0) {
        throw new ConflictException({ code: 'approval.nothing-pending', message: 'This account has no roles waiting for approval' });
      }
      const same = user.id === approver.userId || user.rolesRequestedBy === approver.userId;
      if (same && !options.selfAllowed && decision === 'approve') return { user, refused: true };
      const granted = user.pendingRoles;
      if (decision === 'approve') {
        // the approver is not the account holder here (four eyes above), so only the pairs are checked
        const sod = this.separationOfDuties([...new Set([...user.roles, ...granted])], null, user.id, true);
        await this.flagSodException(sod, user, [...new Set([...user.roles, ...granted])], approver, request, m);
        user.roles = [...new Set([...user.roles, ...granted])];
      }
      await this.repo.update(user.id, { roles: user.roles, pendingRoles: [], rolesRequestedBy: null, rolesRequestedAt: null }, m);
      await this.audit.record(
        {
          action: decision === 'approve' ? 'user.roles-approved' : 'user.roles-declined',
          outcome: 'success',
          actor: approver,
          request,
          details: {
            userId: user.id,
            username: user.username,
            roles: granted,
            requestedBy: user.rolesRequestedBy,
            ...(decision === 'approve' ? { fourEyes: same ? 'waived' : 'approved' } : {}),
            ...(options.note ? { note: options.note } : {}),
          },
        },
        m,
      );
      user.pendingRoles = [];
      return { user, refused: false };
    });
    if (sameness.refused) {
      await this.audit.record({
        action: 'approval.refused',
        outcome: 'refused',
        actor: approver,
        request,
        details: { kind: 'roles', userId: id, reason: 'same-person' },
      });
      throw new ForbiddenException({
        code: 'approval.same-person',
        message: 'Four eyes: the person who asked for these roles (or holds them) cannot approve them; another responsible person must',
      });
    }
    if (decision === 'approve') await this.staffChanged({ userId: id, reason: 'roles-changed' });
    return this.view(sameness.user, this.clock.now());
  }

  get currentTrainingVersion(): string {
    return this.legal.handlingRules.version;
  }

  /** POST /me/training: the version must be the current one in config/handling-rules.json. */
  async acknowledgeTraining(actor: Actor, version: string, request: RequestMeta): Promise<void> {
    const current = this.legal.handlingRules.version;
    if (version !== current)
      throw new BadRequestException({
        code: 'training.wrong-version',
        message: `version must be the current handling rules version "${current}" (GET /me/training)`,
      });
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      await this.repo.update(actor.userId, { trainingVersion: version, trainingAcknowledgedAt: now }, m);
      await this.audit.record({ action: 'user.training-acknowledged', outcome: 'success', actor, request, details: { version } }, m);
    });
    await this.staffChanged({ userId: actor.userId, reason: 'training-acknowledged' });
  }

  private async endSessions(event: StaffSessionsEndEvent): Promise<void> {
    await this.events.emitAsync(STAFF_SESSIONS_END, event);
  }

  /** What a session carries changed: cached sessions of this person go on every instance. */
  private async staffChanged(event: StaffChangedEvent): Promise<void> {
    await this.events.emitAsync(STAFF_CHANGED, event);
  }

  private async load(m: EntityManager, id: string, forUpdate = false): Promise<StaffUser> {
    const user = await this.repo.load(m, id, forUpdate);
    if (!user) throw new NotFoundException({ code: 'user.not-found', message: 'No such staff account' });
    return user;
  }

  private async lockAdminRule(m: EntityManager): Promise<void> {
    await this.repo.lockRule(m, ADMIN_RULE_LOCK);
  }

  private async assertAnotherAdmin(m: EntityManager, exceptId: string, what: 'demoted' | 'deactivated'): Promise<void> {
    if ((await this.repo.otherActiveAdmins(m, exceptId)) === 0) {
      throw new ConflictException({
        code: 'user.last-admin',
        message: `The last active admin cannot be ${what}: hand the admin role to someone else first (POST /users/:id/handover-admin)`,
      });
    }
  }

  /** Names of staff accounts by id (the audit log shows who acted by name, issue #22). */
  async namesOf(ids: string[]): Promise<Map<string, { username: string; displayName: string }>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await this.repo.names(unique);
    return new Map(rows.map((u) => [u.id, { username: u.username, displayName: u.displayName }]));
  }

  /** Accounts whose username or display name contains `q` (spaces ignored), at most `max` + 1. */
  async idsMatching(q: string, max: number): Promise<string[]> {
    const squeezed = q.replace(/[\s\u3000]+/g, '');
    return this.repo.idsMatching(squeezed, max + 1);
  }

  view(u: StaffUser, now: Date): StaffAccountDto {
    const lastActivity = u.lastLoginAt ?? u.createdAt;
    return {
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      roles: u.roles,
      pendingRoles: u.pendingRoles ?? [],
      firmId: u.firmId ?? null,
      status: u.status,
      deactivatedAt: u.deactivatedAt?.toISOString() ?? null,
      deactivationReason: u.deactivationReason,
      lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
      totpEnrolled: u.totpEnrolledAt !== null,
      mustChangePassword: u.mustChangePassword,
      // the latest end of a login backoff (any budget: unknown addresses, known ones, second factor)
      lockedUntil:
        [u.lockedUntil, u.knownLockedUntil, u.factorLockedUntil]
          .filter((d): d is Date => !!d && d > now)
          .sort((a, b) => b.getTime() - a.getTime())[0]
          ?.toISOString() ?? null,
      trainingVersion: u.trainingVersion,
      trainingAcknowledgedAt: u.trainingAcknowledgedAt?.toISOString() ?? null,
      trainingCurrent: isTrainingCurrent(u, this.legal.handlingRules.version, this.trainingMonths, now),
      dormant: u.status === 'active' && now.getTime() - lastActivity.getTime() > this.dormantMs,
      sodException: sodException(u.roles),
      createdAt: u.createdAt.toISOString(),
    };
  }
}

function sameRoles(a: Role[], b: Role[]): boolean {
  return a.length === b.length && a.every((r) => b.includes(r));
}
