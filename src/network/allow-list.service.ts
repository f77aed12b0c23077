import { BadRequestException, ConflictException, ForbiddenException, Injectable } from '@nestjs/common';
import type { BlockList } from 'node:net';
import { AuditService } from '@/audit/audit.service';
import { Role } from '@/common/auth/roles';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { allows, blockListOf, normalizeAddress, parseCidr } from './allow-list';
import { AllowListRepository } from './allow-list.repository';

/** How long an instance trusts its copy of the lists (other instances see a change within this). */
const CACHE_MS = 5000;

/**
 * IP allow-list per role (issue #19): admins set the addresses (CIDR) each role may use the API
 * from; a role without a list may use it from anywhere. An account must satisfy the list of every
 * role it holds (the strictest wins: an admin who is also a clerk is bound by the clerks' list).
 * The auth guard asks on every signed-in request; a refusal is 403 network.address-not-allowed,
 * recorded in the trail (auth.address-refused).
 */
@Injectable()
export class AllowListService {
  private cache: { at: number; lists: Map<string, BlockList> } | null = null;

  constructor(
    private readonly repo: AllowListRepository,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
  ) {}

  /** The lists, and the address the asker's request came from as the API sees it (the console warns before a list leaves it out). */
  async list(request?: RequestMeta) {
    const rows = await this.repo.all();
    return {
      items: rows.map((r) => ({ role: r.role, cidrs: r.cidrs, setBy: r.set_by_username, setAt: r.set_at.toISOString() })),
      yourAddress: request?.clientAddress ? normalizeAddress(request.clientAddress) : null,
    };
  }

  /** Sets a role's list (an empty list removes it). Refuses what would lock the admin out from where they are now. */
  async set(role: Role, cidrs: string[], staff: Staff, request: RequestMeta) {
    const invalid = cidrs.filter((c) => !parseCidr(c));
    if (invalid.length)
      throw new BadRequestException({
        code: 'network.cidr-invalid',
        message: `Not an address or CIDR block: ${invalid.length} entr${invalid.length === 1 ? 'y' : 'ies'}`,
      });
    const normalized = [...new Set(cidrs.map((c) => c.trim()))];
    if (normalized.length && staff.roles.includes(role) && request.clientAddress && !allows(blockListOf(normalized), request.clientAddress)) {
      throw new ConflictException({ code: 'network.would-lock-out', message: 'Your own address is outside the new list: you would lose access' });
    }
    await this.repo.transaction(async (m) => {
      await this.repo.set(role, normalized, staff.username, this.clock.now(), m);
      await this.audit.record({ action: 'network.allow-list-changed', outcome: 'success', actor: staff, request, details: { role, cidrs: normalized } }, m);
    });
    this.cache = null;
    return this.list(request);
  }

  /**
   * Throws (and records) when the account's address is outside a list of one of its roles. `stage`
   * says where: a signed-in request (the guard), or a login step (after the password was found
   * right, so the refusal tells nothing about which usernames exist or what roles they hold).
   */
  async check(
    staff: Pick<Staff, 'userId' | 'username' | 'roles'>,
    request: RequestMeta,
    stage: 'request' | 'login' | 'second-factor' = 'request',
  ): Promise<void> {
    const lists = await this.lists();
    if (lists.size === 0) return;
    const address = request.clientAddress ? normalizeAddress(request.clientAddress) : null;
    const refusedBy = staff.roles.find((role) => {
      const list = lists.get(role);
      return list !== undefined && (!address || !allows(list, address));
    });
    if (!refusedBy) return;
    await this.audit.record({
      action: 'auth.address-refused',
      outcome: 'refused',
      actor: staff,
      request,
      details: stage === 'request' ? { role: refusedBy } : { role: refusedBy, stage },
    });
    throw new ForbiddenException({ code: 'network.address-not-allowed', message: `This account's role ${refusedBy} may not be used from this address` });
  }

  private async lists(): Promise<Map<string, BlockList>> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < CACHE_MS) return this.cache.lists;
    const rows = await this.repo.all();
    const lists = new Map(rows.map((r) => [r.role, blockListOf(r.cidrs)]));
    this.cache = { at: now, lists };
    return lists;
  }
}
