import { ConflictException, ForbiddenException, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Actor, ApprovalsService, FourEyesOutcome } from '@/approvals/approvals.service';
import { AuditService } from '@/audit/audit.service';
import { CollectionKeysService } from '@/collection/collection-keys.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { KeyringService } from '@/crypto/keyring.service';
import { NumbersService } from '@/numbers/numbers.service';
import { StaffCredentialsService } from '@/users/staff-credentials.service';
import { KeyRetirementRepository, RetirementRow } from './key-retirement.repository';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface KeyVersionView {
  version: number;
  current: boolean;
  /** In the keystore now (false once destroyed). */
  present: boolean;
  /** Data keys (numbers, TOTP secrets, collection entries and photos) still wrapped under it. */
  dataKeys: number;
  retiredAt: string | null;
  retiredBy: string | null;
  destroyAfter: string | null;
  destroyedAt: string | null;
  /** A retirement asked for and waiting for the second person, if any. */
  pendingRetirement: PendingRetirementView | null;
}

export interface PendingRetirementView {
  approvalId: string;
  requestedBy: string;
  requestedAt: string;
  /** Who may confirm it: another admin (no four-eyes policy set up) or the responsible person (four eyes required). */
  confirmBy: 'admin' | 'responsible';
}

/** POST /keys/versions/:v/retire while it waits for the second person (answered 202). */
export interface PendingRetirement extends PendingRetirementView {
  status: 'pending-approval';
  kind: 'key-retirement';
  version: number;
}

/** Who approved a retirement, for its trail entry. */
export interface RetirementApproval {
  approver: Actor;
  approvalId: string | null;
  fourEyes: FourEyesOutcome | 'second-admin';
}

export const KEY_RETIREMENT_KIND = 'key-retirement';

/** The approval request's target: one fixed id per version, so one pending request per version (the approvals table's unique index). */
export function retirementTargetId(version: number): string {
  return `00000000-0000-4000-8000-${version.toString(16).padStart(12, '0')}`;
}

/**
 * KEK retirement: after keys:rotate has re-wrapped every data key, an admin retires the old
 * version; it is destroyed in the keystore KEY_RETIREMENT_DELAY_DAYS later (the backup
 * retention), and the trail records both steps. Once destroyed, every backup that still needs
 * that version is crypto-erased: a disposed number in an old dump can never be read again.
 *
 * Destroying a key is final for every backup, so one admin alone does not decide it: the request
 * waits for a second person (an approval request, kind `key-retirement`). With four eyes required
 * (issue #19) the responsible person approves it (POST /approvals/:id/approve); with no policy set
 * up another admin confirms it (POST /keys/retirements/:id/confirm); under a recorded four-eyes
 * waiver the admin retires alone and the trail flags it. The CLI (`keys:retire`) is the operator
 * at the host, who holds the keystore anyway: it retires directly.
 */
@Injectable()
export class KeyRetirementService implements OnModuleInit {
  private readonly logger = new Logger(KeyRetirementService.name);
  private readonly delayMs: number;

  constructor(
    private readonly repository: KeyRetirementRepository,
    private readonly keyring: KeyringService,
    private readonly numbers: NumbersService,
    private readonly credentials: StaffCredentialsService,
    private readonly collection: CollectionKeysService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    private readonly approvals: ApprovalsService,
    config: ConfigService<Env, true>,
  ) {
    this.delayMs = config.get('KEY_RETIREMENT_DELAY_DAYS', { infer: true }) * DAY_MS;
  }

  /** What an approved retirement request carries out: the retirement, by the requester, with the approver in the trail. */
  onModuleInit(): void {
    this.approvals.registerExecutor(KEY_RETIREMENT_KIND, async (req, { requester, approver, request }) => {
      const responsible = approver.roles.includes('responsible') && (await this.approvals.modeNow()).needsApproval;
      return this.retire(Number(req.payload.version), requester, request, {
        approver,
        approvalId: req.id,
        fourEyes: approver.userId === requester.userId ? 'waived' : responsible ? 'approved' : 'second-admin',
      });
    });
  }

  /**
   * POST /keys/versions/:version/retire: checks the version can be retired, then asks for the
   * second person (202, pending), or under a four-eyes waiver retires it now.
   */
  async requestRetirement(version: number, actor: Actor, request: RequestMeta): Promise<KeyVersionView | PendingRetirement> {
    await this.check(version);
    const mode = await this.approvals.modeNow();
    if (mode.outcome === 'waived') return this.retire(version, actor, request, { approver: actor, approvalId: null, fourEyes: 'waived' });
    const row = await this.approvals.request(KEY_RETIREMENT_KIND, retirementTargetId(version), { version }, actor, request);
    return {
      status: 'pending-approval',
      kind: KEY_RETIREMENT_KIND,
      version,
      approvalId: row.id,
      requestedBy: row.requestedByUsername,
      requestedAt: row.requestedAt.toISOString(),
      confirmBy: mode.needsApproval ? 'responsible' : 'admin',
    };
  }

  /**
   * POST /keys/retirements/:id/confirm: a second admin confirms a retirement while no four-eyes
   * policy is set up (with four eyes required it is the responsible person's, in the approvals
   * inbox). The one who asked cannot confirm it (approval.same-person).
   */
  async confirm(approvalId: string, admin: Actor, request: RequestMeta): Promise<KeyVersionView> {
    await this.pendingRequest(approvalId);
    if ((await this.approvals.modeNow()).needsApproval) {
      throw new ForbiddenException({
        code: 'keys.retirement-needs-responsible',
        message: 'Four eyes are required: the responsible person approves this retirement (POST /approvals/:id/approve)',
      });
    }
    const { result } = await this.approvals.approve(approvalId, admin, undefined, request);
    return result as KeyVersionView;
  }

  /** POST /keys/retirements/:id/cancel: an admin (the one who asked, or another) withdraws a waiting retirement. */
  async cancel(approvalId: string, admin: Actor, request: RequestMeta): Promise<void> {
    await this.pendingRequest(approvalId);
    await this.approvals.decline(approvalId, admin, undefined, request);
  }

  private async pendingRequest(approvalId: string) {
    const row = await this.approvals.get(approvalId);
    if (row.kind !== KEY_RETIREMENT_KIND) throw new NotFoundException({ code: 'approval.not-found', message: 'No such key retirement request' });
    return row;
  }

  async list(): Promise<KeyVersionView[]> {
    const present = this.keyring.kekVersions();
    const current = this.keyring.currentKek().version;
    const counts = await this.dataKeyCounts();
    const retired = new Map((await this.repository.all()).map((r) => [r.version, r]));
    const pending = await this.pendingRetirements();
    const versions = [...new Set([...present, ...retired.keys(), ...Object.keys(counts).map(Number)])].sort((a, b) => a - b);
    return versions.map((version) => ({
      ...this.view(version, current, present.includes(version), counts[String(version)] ?? 0, retired.get(version)),
      pendingRetirement: pending.get(version) ?? null,
    }));
  }

  private async pendingRetirements(): Promise<Map<number, PendingRetirementView>> {
    const { requests } = await this.approvals.list('pending');
    const confirmBy = (await this.approvals.modeNow()).needsApproval ? 'responsible' : 'admin';
    return new Map(
      requests
        .filter((r) => r.kind === KEY_RETIREMENT_KIND)
        .map((r) => [Number(r.payload.version), { approvalId: r.id, requestedBy: r.requestedByUsername, requestedAt: r.requestedAt, confirmBy }]),
    );
  }

  /** Refuses what cannot be retired: an unknown version, the current one, one already retired or still in use. */
  private async check(version: number): Promise<void> {
    if (!this.keyring.kekVersions().includes(version)) {
      throw new NotFoundException({ code: 'keys.version-unknown', message: `Key version ${version} is not in the keystore` });
    }
    if (version === this.keyring.currentKek().version) {
      throw new ConflictException({
        code: 'keys.version-current',
        message: `Key version ${version} is the current one: run keys:rotate first, then retire it`,
      });
    }
    if ((await this.repository.all()).some((r) => r.version === version)) {
      throw new ConflictException({ code: 'keys.version-retired', message: `Key version ${version} is already retired` });
    }
    const inUse = (await this.dataKeyCounts())[String(version)] ?? 0;
    if (inUse > 0) throw inUseError(version, inUse);
  }

  /**
   * Retires an old version: refused while any data key still uses it or when it is the current one.
   * Called with the approval that allowed it (HTTP), or with none from the CLI (`keys:retire`).
   */
  async retire(
    version: number,
    actor: Pick<Staff, 'userId' | 'username' | 'roles'> | null,
    request: RequestMeta | null,
    approval: RetirementApproval | null = null,
  ): Promise<KeyVersionView> {
    const current = this.keyring.currentKek().version;
    if (!this.keyring.kekVersions().includes(version)) {
      throw new NotFoundException({ code: 'keys.version-unknown', message: `Key version ${version} is not in the keystore` });
    }
    if (version === current) {
      throw new ConflictException({
        code: 'keys.version-current',
        message: `Key version ${version} is the current one: run keys:rotate first, then retire it`,
      });
    }
    const now = this.clock.now();
    const destroyAfter = new Date(now.getTime() + this.delayMs);
    await this.repository.transaction(async (m) => {
      await this.repository.lock(m);
      if (await this.repository.find(m, version)) {
        throw new ConflictException({ code: 'keys.version-retired', message: `Key version ${version} is already retired` });
      }
      const inUse = (await this.dataKeyCounts())[String(version)] ?? 0;
      if (inUse > 0) throw inUseError(version, inUse);
      await this.repository.insert(m, { version, retiredAt: now, retiredBy: actor?.userId ?? null, retiredByUsername: actor?.username ?? 'cli', destroyAfter });
      await this.audit.record(
        {
          action: 'keys.retired',
          outcome: 'success',
          actor,
          actorUsername: actor ? undefined : 'cli',
          request,
          details: {
            version,
            destroyAfter: destroyAfter.toISOString(),
            delayDays: this.delayMs / DAY_MS,
            // fourEyes: 'waived' puts a retirement done alone among the auditors' alerts
            ...(approval
              ? { approvalId: approval.approvalId, approvedBy: approval.approver.username, fourEyes: approval.fourEyes }
              : { fourEyes: 'cli', approvedBy: null }),
          },
        },
        m,
      );
    });
    if (this.delayMs === 0) await this.destroyDue();
    // (an approval that carried this out is closed right after: nothing waits any more)
    return { ...(await this.list()).find((v) => v.version === version)!, pendingRetirement: null };
  }

  /** Destroys every retired version whose delay has passed; returns the versions destroyed. */
  async destroyDue(): Promise<number[]> {
    if (this.keyring.sealed) return [];
    const now = this.clock.now();
    return this.repository.transaction(async (m) => {
      await this.repository.lock(m);
      const destroyed: number[] = [];
      for (const row of await this.repository.due(m, now)) {
        const inUse = (await this.dataKeyCounts())[String(row.version)] ?? 0;
        if (inUse > 0) {
          // Data came back under this version (a restore): destroying it now would lose them.
          this.logger.error(`Key version ${row.version} is due for destruction but ${inUse} data keys use it: run keys:rotate; it is kept until then`);
          continue;
        }
        this.keyring.destroyKekVersion(row.version);
        await this.repository.markDestroyed(m, row.version, now);
        await this.audit.record(
          { action: 'keys.destroyed', outcome: 'success', actorUsername: 'system', details: { version: row.version, retiredAt: row.retiredAt.toISOString() } },
          m,
        );
        destroyed.push(row.version);
      }
      return destroyed;
    });
  }

  private async dataKeyCounts(): Promise<Record<string, number>> {
    const parts = await Promise.all([this.numbers.keyVersionCounts(), this.credentials.totpKeyVersionCounts(), this.collection.keyVersionCounts()]);
    const all: Record<string, number> = {};
    for (const part of parts) for (const [v, n] of Object.entries(part)) all[v] = (all[v] ?? 0) + n;
    return all;
  }

  private view(version: number, current: number, present: boolean, dataKeys: number, r: RetirementRow | undefined): Omit<KeyVersionView, 'pendingRetirement'> {
    return {
      version,
      current: version === current,
      present,
      dataKeys,
      retiredAt: r?.retiredAt.toISOString() ?? null,
      retiredBy: r?.retiredByUsername ?? null,
      destroyAfter: r?.destroyAfter.toISOString() ?? null,
      destroyedAt: r?.destroyedAt?.toISOString() ?? null,
    };
  }
}

function inUseError(version: number, inUse: number): ConflictException {
  return new ConflictException({
    code: 'keys.version-in-use',
    message: `${inUse} data keys are still wrapped under version ${version}: run keys:rotate (again) until none is, then retire it`,
  });
}
