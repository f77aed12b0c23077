import { BadRequestException, ConflictException, GoneException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { NumbersService } from '@/numbers/numbers.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { CollectionMailerService } from './collection-mailer.service';
import { CollectionRepository } from './collection.repository';
import { hashLinkToken, isWellFormedToken, linkFor, newLinkToken } from './collection-token';
import { CreateRequestsDto, ListRequestsQuery, ReissueRequestDto } from './dto/collection.dto';
import { CollectionRequest } from './entities/collection-request.entity';

const DAY_MS = 24 * 60 * 60 * 1000;
const LIST_LIMIT = 500;

export interface IssuedLink {
  id: string;
  subjectId: string;
  code: string;
  name: string;
  status: string;
  expiresAt: Date;
  /** The link with its token: shown once (on screen, as a QR code, on the printable sheet), never stored. */
  link: string;
  mailed: boolean;
}

export interface RequestView {
  id: string;
  subjectId: string;
  code: string | null;
  name: string | null;
  status: string;
  expired: boolean;
  expiresAt: Date;
  createdAt: Date;
  issuedAt: Date;
  mailedAt: Date | null;
  startedAt: Date | null;
  submittedAt: Date | null;
  returnReason: string | null;
}

/** Collection requests: creating, listing, reissuing and cancelling links, and resolving a link's token. */
@Injectable()
export class CollectionRequestsService {
  private readonly linkDays: number;
  private readonly baseUrl: string;

  constructor(
    config: ConfigService<Env, true>,
    private readonly repo: CollectionRepository,
    private readonly subjects: SubjectsService,
    private readonly numbers: NumbersService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    private readonly mailer: CollectionMailerService,
  ) {
    this.linkDays = config.get('COLLECTION_LINK_DAYS', { infer: true });
    this.baseUrl = config.get('PUBLIC_BASE_URL', { infer: true });
  }

  /**
   * One link per person: the people listed, or every current employee with no number on file.
   * People who already have an open or submitted link are skipped (reissue that one instead).
   */
  async create(dto: CreateRequestsDto, staff: Staff, request: RequestMeta): Promise<{ items: IssuedLink[]; skipped: { subjectId: string; reason: string }[] }> {
    if (!dto.subjectIds && !dto.allWithoutNumber) {
      throw new BadRequestException({ code: 'collection.no-people', message: 'Give subjectIds, or allWithoutNumber: true' });
    }
    if (dto.recipients?.length) this.requireMail();
    const skipped: { subjectId: string; reason: string }[] = [];
    let people = dto.subjectIds ? await this.subjects.findMany(dto.subjectIds) : (await this.subjects.select({ kind: 'employee' })).filter((s) => !s.leftAt);
    if (dto.subjectIds) {
      const found = new Set(people.map((p) => p.id));
      const missing = dto.subjectIds.filter((id) => !found.has(id));
      if (missing.length) throw new NotFoundException({ code: 'collection.person-not-found', message: `No such person: ${missing.length} of the subjectIds` });
      const notEmployees = people.filter((p) => p.kind !== 'employee');
      if (notEmployees.length) {
        throw new BadRequestException({
          code: 'collection.not-an-employee',
          message: "Links are for employees (they hand in their dependents' numbers themselves)",
        });
      }
    }
    if (dto.allWithoutNumber) {
      const statuses = await this.numbers.statuses(people.map((p) => p.id));
      people = people.filter((p) => !statuses.get(p.id)?.onFile);
    }
    const active = new Set((await this.repo.activeRequestsOf(people.map((p) => p.id))).map((r) => r.subjectId));
    for (const p of people.filter((p) => active.has(p.id))) skipped.push({ subjectId: p.id, reason: 'link-open' });
    people = people.filter((p) => !active.has(p.id));

    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + (dto.expiresInDays ?? this.linkDays) * DAY_MS);
    const emails = new Map((dto.recipients ?? []).map((r) => [r.subjectId, r.email]));
    const items: IssuedLink[] = [];
    for (const person of people) {
      const { token, hash } = newLinkToken();
      try {
        const saved = await this.repo.transaction(async (manager) => {
          const row = await this.repo.insertRequest(
            {
              subjectId: person.id,
              tokenHash: hash,
              status: 'open',
              expiresAt,
              createdBy: staff.userId,
              createdAt: now,
              issuedAt: now,
              mailedAt: null,
              startedAt: null,
              submittedAt: null,
              closedAt: null,
              returnReason: null,
            },
            manager,
          );
          await this.audit.record(
            {
              action: 'collection.requested',
              outcome: 'success',
              actor: staff,
              subjectId: person.id,
              request,
              details: { requestId: row.id, expiresAt: expiresAt.toISOString() },
            },
            manager,
          );
          return row;
        });
        const link = linkFor(this.baseUrl, token);
        const email = emails.get(person.id);
        const mailed = email ? await this.mail(saved, person.name, email, link, staff, request) : false;
        items.push({ id: saved.id, subjectId: person.id, code: person.code, name: person.name, status: saved.status, expiresAt, link, mailed });
      } catch (error) {
        // another clerk created one at the same moment: the partial unique index decides
        if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') {
          skipped.push({ subjectId: person.id, reason: 'link-open' });
          continue;
        }
        throw error;
      }
    }
    return { items, skipped };
  }

  async list(query: ListRequestsQuery): Promise<{ items: RequestView[] }> {
    const rows = await this.repo.listRequests(query.status, LIST_LIMIT);
    const people = new Map((await this.subjects.findMany([...new Set(rows.map((r) => r.subjectId))])).map((s) => [s.id, s]));
    const now = this.clock.now();
    return {
      items: rows.map((r) => ({
        id: r.id,
        subjectId: r.subjectId,
        code: people.get(r.subjectId)?.code ?? null,
        name: people.get(r.subjectId)?.name ?? null,
        status: r.status,
        expired: r.status === 'open' && r.expiresAt <= now,
        expiresAt: r.expiresAt,
        createdAt: r.createdAt,
        issuedAt: r.issuedAt,
        mailedAt: r.mailedAt,
        startedAt: r.startedAt,
        submittedAt: r.submittedAt,
        returnReason: r.returnReason,
      })),
    };
  }

  /** A new token for an open (or expired) link: the old one stops working at once. */
  async reissue(id: string, dto: ReissueRequestDto, staff: Staff, request: RequestMeta): Promise<IssuedLink> {
    if (dto.email) this.requireMail();
    const { token, hash } = newLinkToken();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + (dto.expiresInDays ?? this.linkDays) * DAY_MS);
    const row = await this.repo.transaction(async (manager) => {
      const existing = await this.repo.requestById(id, manager, true);
      if (!existing) throw new NotFoundException({ code: 'collection.request-not-found', message: 'No such collection request' });
      if (existing.status !== 'open') {
        throw new ConflictException({ code: 'collection.request-not-open', message: `Only an open link can be reissued (this one is ${existing.status})` });
      }
      await this.repo.updateRequest(id, { tokenHash: hash, issuedAt: now, expiresAt, startedAt: null }, manager);
      await this.audit.record(
        {
          action: 'collection.reissued',
          outcome: 'success',
          actor: staff,
          subjectId: existing.subjectId,
          request,
          details: { requestId: id, expiresAt: expiresAt.toISOString() },
        },
        manager,
      );
      return { ...existing, expiresAt };
    });
    const person = await this.subjects.get(row.subjectId);
    const link = linkFor(this.baseUrl, token);
    const mailed = dto.email ? await this.mail(row, person.name, dto.email, link, staff, request) : false;
    return { id, subjectId: person.id, code: person.code, name: person.name, status: row.status, expiresAt, link, mailed };
  }

  async cancel(id: string, staff: Staff, request: RequestMeta): Promise<RequestView> {
    await this.repo.transaction(async (manager) => {
      const existing = await this.repo.requestById(id, manager, true);
      if (!existing) throw new NotFoundException({ code: 'collection.request-not-found', message: 'No such collection request' });
      if (existing.status !== 'open') {
        throw new ConflictException({
          code: 'collection.request-not-open',
          message: `Only an open link can be cancelled (this one is ${existing.status}); send a submission back or approve it instead`,
        });
      }
      await this.repo.updateRequest(id, { status: 'cancelled', closedAt: this.clock.now() }, manager);
      await this.audit.record(
        { action: 'collection.cancelled', outcome: 'success', actor: staff, subjectId: existing.subjectId, request, details: { requestId: id } },
        manager,
      );
    });
    const row = (await this.repo.requestById(id))!;
    const person = await this.subjects.get(row.subjectId);
    return {
      id,
      subjectId: row.subjectId,
      code: person.code,
      name: person.name,
      status: row.status,
      expired: false,
      expiresAt: row.expiresAt,
      createdAt: row.createdAt,
      issuedAt: row.issuedAt,
      mailedAt: row.mailedAt,
      startedAt: row.startedAt,
      submittedAt: row.submittedAt,
      returnReason: row.returnReason,
    };
  }

  /**
   * The open request behind a token, or a clear refusal: unknown (404), cancelled, used or
   * expired (410), each with its own code so the page can say what happened.
   */
  async resolveOpen(token: unknown): Promise<CollectionRequest> {
    if (!isWellFormedToken(token)) throw unknownLink();
    const row = await this.repo.requestByTokenHash(hashLinkToken(token));
    if (!row) throw unknownLink();
    if (row.status === 'cancelled')
      throw new GoneException({ code: 'collection.link-cancelled', message: 'This link was cancelled; ask the payroll office for a new one' });
    if (row.status !== 'open')
      throw new GoneException({ code: 'collection.link-used', message: 'This link was already used; ask the payroll office if something is wrong' });
    if (row.expiresAt <= this.clock.now())
      throw new GoneException({ code: 'collection.link-expired', message: 'This link has expired; ask the payroll office for a new one' });
    return row;
  }

  /** The first opening of a link: the audited "started" event (all that stays of an abandoned submission). */
  async markStarted(row: CollectionRequest, request: RequestMeta): Promise<void> {
    if (row.startedAt) return;
    await this.repo.transaction(async (manager) => {
      if (await this.repo.markStarted(row.id, this.clock.now(), manager)) {
        await this.audit.record(
          { action: 'collection.started', outcome: 'success', subjectId: row.subjectId, request, details: { requestId: row.id } },
          manager,
        );
      }
    });
  }

  private requireMail(): void {
    if (!this.mailer.enabled) {
      throw new ConflictException({
        code: 'collection.mail-not-configured',
        message: 'No SMTP server is configured (SMTP_URL); show the QR code or print the sheet instead',
      });
    }
  }

  private async mail(row: CollectionRequest, name: string, email: string, link: string, staff: Staff, request: RequestMeta): Promise<boolean> {
    const sent = await this.mailer.send({ to: email, greetingName: name, link, expiresAt: row.expiresAt });
    await this.repo.transaction(async (manager) => {
      if (sent) await this.repo.updateRequest(row.id, { mailedAt: this.clock.now() }, manager);
      await this.audit.record(
        { action: 'collection.mailed', outcome: sent ? 'success' : 'failure', actor: staff, subjectId: row.subjectId, request, details: { requestId: row.id } },
        manager,
      );
    });
    return sent;
  }
}

function unknownLink(): NotFoundException {
  return new NotFoundException({ code: 'collection.link-unknown', message: 'This link is not valid; check that it was copied in full' });
}
