import { ConflictException, ForbiddenException, HttpException, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { UsersService } from '@/users/users.service';
import { FourEyesMode } from './approval-policy.entity';
import { ApprovalRequest, ApprovalStatus } from './approval-request.entity';
import { ApprovalsRepository } from './approvals.repository';
import { SetPolicyDto } from './dto/approval.dto';

export type Actor = Pick<Staff, 'userId' | 'username' | 'roles'>;

/**
 * How an action was approved, kept in its audit entry and record:
 * - `approved`: a second person (the responsible person) approved it;
 * - `waived`: four eyes are waived (recorded reason), the actor approved it alone: flagged to auditors;
 * - `not-configured`: no four-eyes policy is set up yet (the vault's behaviour before issue #19).
 */
export type FourEyesOutcome = 'approved' | 'waived' | 'not-configured';

export interface PolicyView {
  fourEyes: FourEyesMode | 'not-set';
  reason: string | null;
  setBy: string | null;
  setAt: string | null;
}

/** Carries out an approved request; registered by the module that owns the action. */
export type ApprovalExecutor = (req: ApprovalRequest, ctx: { requester: Actor; approver: Actor; request: RequestMeta }) => Promise<unknown>;

/**
 * What a pending request is about, in facts the approver needs to decide (a disposal: whose number,
 * since when due). Registered by the owning module beside its executor; never a number.
 */
export type ApprovalDescriber = (req: ApprovalRequest) => Promise<Record<string, unknown> | null>;

/**
 * 事務取扱責任者 approvals (issue #19). The policy says whether an action needs a second person
 * (`required`), may be done alone with a recorded reason (`waived`, flagged to auditors), or is
 * not set up yet. Requests wait here; the responsible person approves one and the owning module
 * carries it out (an executor it registered), or declines it. The requester is never the approver
 * while four eyes are required.
 */
@Injectable()
export class ApprovalsService implements OnModuleInit {
  private readonly executors = new Map<string, ApprovalExecutor>();
  private readonly describers = new Map<string, ApprovalDescriber>();

  constructor(
    private readonly repo: ApprovalsRepository,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
  ) {}

  onModuleInit(): void {
    // New clerks wait for the responsible person once the policy is set up.
    this.users.useRoleApprovalRule(async () => (await this.repo.policy()) !== null);
  }

  registerExecutor(kind: string, executor: ApprovalExecutor, describe?: ApprovalDescriber): void {
    this.executors.set(kind, executor);
    if (describe) this.describers.set(kind, describe);
  }

  /** The request with what it is about (`about`, from the owning module; null when it has nothing to add or the thing is gone). */
  private async described(row: ApprovalRequest) {
    const describe = this.describers.get(row.kind);
    const about = describe ? await describe(row).catch(() => null) : null;
    return { ...view(row), about };
  }

  async policy(): Promise<PolicyView> {
    const p = await this.repo.policy();
    return { fourEyes: p?.fourEyes ?? 'not-set', reason: p?.reason ?? null, setBy: p?.setByUsername ?? null, setAt: p?.setAt.toISOString() ?? null };
  }

  /** `required` → ask for approval; otherwise act now and record how (waived / not configured). */
  async modeNow(): Promise<{ needsApproval: boolean; outcome: FourEyesOutcome }> {
    const p = await this.repo.policy();
    if (!p) return { needsApproval: false, outcome: 'not-configured' };
    return p.fourEyes === 'required' ? { needsApproval: true, outcome: 'approved' } : { needsApproval: false, outcome: 'waived' };
  }

  async setPolicy(dto: SetPolicyDto, actor: Actor, request: RequestMeta): Promise<PolicyView> {
    const reason = dto.fourEyes === 'waived' ? dto.reason! : null;
    await this.repo.transaction(async (m) => {
      const before = await this.repo.policy(m);
      await this.repo.savePolicy({ fourEyes: dto.fourEyes, reason, setBy: actor.userId, setByUsername: actor.username, setAt: this.clock.now() }, m);
      await this.audit.record(
        {
          action: 'approval.policy-changed',
          outcome: 'success',
          actor,
          request,
          // fourEyes: 'waived' puts the waiver itself among the auditors' alerts
          details: { from: before?.fourEyes ?? 'not-set', to: dto.fourEyes, fourEyes: dto.fourEyes, ...(reason ? { reason } : {}) },
        },
        m,
      );
    });
    return this.policy();
  }

  /** Records a request for approval (one pending request per kind and target). */
  async request(kind: string, targetId: string | null, payload: Record<string, unknown>, requester: Actor, request: RequestMeta): Promise<ApprovalRequest> {
    if (!this.executors.has(kind)) throw new Error(`No executor registered for approval kind ${kind}`);
    return this.repo.transaction(async (m) => {
      if (targetId) {
        const existing = await this.repo.pendingFor(kind, targetId, m);
        if (existing) return existing;
      }
      const row = await this.repo.insert(
        {
          kind,
          targetId,
          payload: { ...payload, requesterRoles: requester.roles },
          status: 'pending',
          requestedBy: requester.userId,
          requestedByUsername: requester.username,
          requestedAt: this.clock.now(),
        },
        m,
      );
      await this.audit.record(
        { action: 'approval.requested', outcome: 'success', actor: requester, request, details: { approvalId: row.id, kind, targetId } },
        m,
      );
      return row;
    });
  }

  async list(status: ApprovalStatus = 'pending') {
    const [requests, accounts] = await Promise.all([this.repo.list(status, 200), status === 'pending' ? this.users.listPendingRoles() : Promise.resolve([])]);
    return { requests: await Promise.all(requests.map((r) => this.described(r))), accounts };
  }

  async get(id: string) {
    const row = await this.repo.get(id);
    if (!row) throw new NotFoundException({ code: 'approval.not-found', message: 'No such approval request' });
    return this.described(row);
  }

  /**
   * The responsible person approves: the owning module carries the action out, then the request
   * is closed, while its row stays locked (a second approval waits and then finds it decided).
   * If the action is refused (say, the person is no longer due for disposal) the request stays pending.
   */
  async approve(id: string, approver: Actor, note: string | undefined, request: RequestMeta) {
    const policy = await this.repo.policy();
    const outcome = await this.repo.transaction(async (m) => {
      const row = await this.lockPending(id, m);
      const self = row.requestedBy === approver.userId;
      if (self && policy?.fourEyes !== 'waived') return { refused: row };
      const executor = this.executors.get(row.kind);
      if (!executor) throw new ConflictException({ code: 'approval.unknown-kind', message: `This vault cannot carry out a ${row.kind} request` });
      const requester: Actor = { userId: row.requestedBy, username: row.requestedByUsername, roles: (row.payload.requesterRoles as Actor['roles']) ?? [] };
      const result = await executor(row, { requester, approver, request });
      const decidedAt = this.clock.now();
      await this.repo.decide(
        id,
        { status: 'approved', decidedBy: approver.userId, decidedByUsername: approver.username, decidedAt, decisionNote: note ?? null, selfApproved: self },
        m,
      );
      await this.audit.record(
        {
          action: 'approval.granted',
          outcome: 'success',
          actor: approver,
          request,
          details: { approvalId: id, kind: row.kind, targetId: row.targetId, requestedBy: row.requestedBy, fourEyes: self ? 'waived' : 'approved' },
        },
        m,
      );
      return {
        approval: view({
          ...row,
          status: 'approved',
          decidedBy: approver.userId,
          decidedByUsername: approver.username,
          decidedAt,
          decisionNote: note ?? null,
          selfApproved: self,
        }),
        result,
      };
    });
    if (outcome.refused) throw await this.refuseSamePerson(outcome.refused, approver, request);
    return { approval: outcome.approval, result: outcome.result };
  }

  async decline(id: string, approver: Actor, note: string | undefined, request: RequestMeta) {
    return this.repo.transaction(async (m) => {
      const row = await this.lockPending(id, m);
      const decidedAt = this.clock.now();
      await this.repo.decide(
        id,
        { status: 'declined', decidedBy: approver.userId, decidedByUsername: approver.username, decidedAt, decisionNote: note ?? null, selfApproved: false },
        m,
      );
      await this.audit.record(
        {
          action: 'approval.declined',
          outcome: 'success',
          actor: approver,
          request,
          details: { approvalId: id, kind: row.kind, targetId: row.targetId, requestedBy: row.requestedBy },
        },
        m,
      );
      return view({ ...row, status: 'declined', decidedBy: approver.userId, decidedByUsername: approver.username, decidedAt, decisionNote: note ?? null });
    });
  }

  /** Roles an account waits for (a new clerk): the users module applies them. */
  async decideAccount(userId: string, decision: 'approve' | 'decline', approver: Actor, note: string | undefined, request: RequestMeta) {
    const policy = await this.repo.policy();
    return this.users.decidePendingRoles(userId, decision, approver, { selfAllowed: policy?.fourEyes === 'waived', note }, request);
  }

  private async lockPending(id: string, m: Parameters<ApprovalsRepository['lock']>[1]): Promise<ApprovalRequest> {
    const row = await this.repo.lock(id, m);
    if (!row) throw new NotFoundException({ code: 'approval.not-found', message: 'No such approval request' });
    if (row.status !== 'pending') throw new ConflictException({ code: 'approval.decided', message: `This request is already ${row.status}` });
    return row;
  }

  private async refuseSamePerson(row: ApprovalRequest, approver: Actor, request: RequestMeta): Promise<HttpException> {
    await this.audit.record({
      action: 'approval.refused',
      outcome: 'refused',
      actor: approver,
      request,
      details: { approvalId: row.id, kind: row.kind, targetId: row.targetId, reason: 'same-person' },
    });
    return new ForbiddenException({
      code: 'approval.same-person',
      message: 'Four eyes: the person who asked for this cannot approve it; another responsible person must (or record a waiver: PUT /approvals/policy)',
    });
  }
}

function view(r: ApprovalRequest) {
  const { requesterRoles: _omit, ...payload } = r.payload ?? {};
  return {
    id: r.id,
    kind: r.kind,
    targetId: r.targetId,
    payload,
    status: r.status,
    requestedBy: r.requestedBy,
    requestedByUsername: r.requestedByUsername,
    requestedAt: r.requestedAt.toISOString(),
    decidedBy: r.decidedBy,
    decidedByUsername: r.decidedByUsername,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    decisionNote: r.decisionNote,
    selfApproved: r.selfApproved,
  };
}
