import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { AuditService } from '@/audit/audit.service';
import { FirmAccess, RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { LegalDataService } from '@/config/legal-data.service';
import { UsersService } from '@/users/users.service';
import {
  encryptForAgeRecipient,
  encryptForRecipient,
  encryptWithPassphrase,
  ExportEncryption,
  oneTimePassphrase,
  readAgeRecipient,
  readRecipientKey,
} from './recipient-key';
import { ChecklistItemDto, CreateFirmAccountDto, CreateFirmDto, UpdateFirmDto } from './dto/firm.dto';
import { FirmsRepository } from './firms.repository';
import { ChecklistEntry, OutsideFirm } from './outside-firm.entity';

type Actor = Pick<Staff, 'userId' | 'username' | 'roles'>;

export interface EncryptionPlan {
  kind: ExportEncryption;
  /** The OpenPGP fingerprint or the age recipient; null for a passphrase. */
  keyId: string | null;
  /** For a passphrase: the passphrase, handed to the caller once and nowhere else. */
  passphrase?: string;
  /** The file as ASCII armor (OpenPGP message or age file). */
  encrypt: (text: string, filename: string) => Promise<string>;
}

export interface ExportRecipient {
  firmId: string;
  firmName: string;
  purposes: string[];
  encryption: EncryptionPlan;
}

/** A fresh one-time passphrase and the symmetric OpenPGP encryption with it (gpg --decrypt opens it). */
export function passphraseEncryption(): EncryptionPlan {
  const passphrase = oneTimePassphrase();
  return { kind: 'passphrase', keyId: null, passphrase, encrypt: (text, filename) => encryptWithPassphrase(passphrase, text, filename) };
}

/** 00:00 Japan time of a date (YYYY-MM-DD). */
const startOfJapanDay = (date: string): Date => new Date(`${date}T00:00:00+09:00`);
const nextJapanDay = (date: string): Date => new Date(startOfJapanDay(date).getTime() + 86_400_000);

/**
 * 委託先 (番号法11条, issue #19): outside firms with their contract, purposes, access window and
 * supervision checklist, and their accounts. The guard asks accessFor() on every request by a
 * firm's account: outside the window it is refused (and audited); inside, the contract's purposes
 * travel with the caller, so the reveal rules can refuse any other purpose.
 */
@Injectable()
export class FirmsService {
  constructor(
    private readonly repo: FirmsRepository,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    private readonly legal: LegalDataService,
  ) {}

  async create(dto: CreateFirmDto, actor: Actor, request: RequestMeta) {
    const window = this.window(dto.contractStartsOn, dto.contractEndsOn, dto.accessFrom, dto.accessUntil);
    this.checkPurposes(dto.purposes);
    const now = this.clock.now();
    const firm = await this.repo.transaction(async (m) => {
      const saved = await this.repo.insert(
        {
          name: dto.name,
          kind: dto.kind,
          scope: dto.scope,
          purposes: dto.purposes,
          contractStartsOn: dto.contractStartsOn,
          contractEndsOn: dto.contractEndsOn,
          ...window,
          checklist: this.checklist([], dto.checklist ?? [], actor, now),
          recipientKey: null,
          recipientKeyFingerprint: null,
          recipientKeySetAt: null,
          ageRecipient: null,
          ageRecipientSetAt: null,
          createdBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        },
        m,
      );
      await this.audit.record(
        {
          action: 'firm.registered',
          outcome: 'success',
          actor,
          request,
          details: {
            firmId: saved.id,
            name: saved.name,
            kind: saved.kind,
            purposes: saved.purposes,
            contractStartsOn: saved.contractStartsOn,
            contractEndsOn: saved.contractEndsOn,
          },
        },
        m,
      );
      return saved;
    });
    return this.view(firm);
  }

  async update(id: string, dto: UpdateFirmDto, actor: Actor, request: RequestMeta) {
    const firm = await this.repo.transaction(async (m) => {
      const f = await this.load(id, m, true);
      const starts = dto.contractStartsOn ?? f.contractStartsOn;
      const ends = dto.contractEndsOn ?? f.contractEndsOn;
      const datesChanged = dto.contractStartsOn !== undefined || dto.contractEndsOn !== undefined;
      const window = this.window(
        starts,
        ends,
        dto.accessFrom ?? (datesChanged ? undefined : f.accessFrom.toISOString()),
        dto.accessUntil ?? (datesChanged ? undefined : f.accessUntil.toISOString()),
      );
      if (dto.purposes) this.checkPurposes(dto.purposes);
      const changes: Partial<OutsideFirm> = { ...window, contractStartsOn: starts, contractEndsOn: ends, updatedAt: this.clock.now() };
      if (dto.scope !== undefined) changes.scope = dto.scope;
      if (dto.purposes) changes.purposes = dto.purposes;
      await this.repo.update(id, changes, m);
      await this.audit.record({ action: 'firm.updated', outcome: 'success', actor, request, details: { firmId: id, fields: Object.keys(dto) } }, m);
      return { ...f, ...changes };
    });
    return this.view(firm);
  }

  async setChecklist(id: string, items: ChecklistItemDto[], actor: Actor, request: RequestMeta) {
    const firm = await this.repo.transaction(async (m) => {
      const f = await this.load(id, m, true);
      const checklist = this.checklist(f.checklist, items, actor, this.clock.now());
      await this.repo.update(id, { checklist, updatedAt: this.clock.now() }, m);
      await this.audit.record(
        {
          action: 'firm.checklist-updated',
          outcome: 'success',
          actor,
          request,
          details: { firmId: id, done: checklist.filter((c) => c.done).map((c) => c.code) },
        },
        m,
      );
      return { ...f, checklist };
    });
    return this.view(firm);
  }

  /** Registers the firm's OpenPGP public key: its exports are encrypted for it. */
  async setRecipientKey(id: string, armored: string, actor: Actor, request: RequestMeta) {
    const key = await readRecipientKey(armored);
    const firm = await this.repo.transaction(async (m) => {
      const f = await this.load(id, m, true);
      const changes = { recipientKey: key.armored, recipientKeyFingerprint: key.fingerprint, recipientKeySetAt: this.clock.now(), updatedAt: this.clock.now() };
      await this.repo.update(id, changes, m);
      await this.audit.record(
        { action: 'firm.key-registered', outcome: 'success', actor, request, details: { firmId: id, kind: 'openpgp', fingerprint: key.fingerprint } },
        m,
      );
      return { ...f, ...changes };
    });
    return this.view(firm);
  }

  /** Registers the firm's age X25519 recipient (age1…): exports can be encrypted for it with `encryption: "age"`. */
  async setAgeRecipient(id: string, text: string, actor: Actor, request: RequestMeta) {
    const recipient = readAgeRecipient(text);
    const firm = await this.repo.transaction(async (m) => {
      const f = await this.load(id, m, true);
      const changes = { ageRecipient: recipient, ageRecipientSetAt: this.clock.now(), updatedAt: this.clock.now() };
      await this.repo.update(id, changes, m);
      await this.audit.record({ action: 'firm.key-registered', outcome: 'success', actor, request, details: { firmId: id, kind: 'age', recipient } }, m);
      return { ...f, ...changes };
    });
    return this.view(firm);
  }

  /**
   * The recipient of an export to this firm and how it is encrypted: for its OpenPGP key, for its
   * age recipient, or (a clerk of the company only) with a one-time passphrase given to the caller.
   * Without `encryption`: the OpenPGP key if registered, else the age recipient; 409 without either.
   */
  async recipient(firmId: string, encryption?: ExportEncryption): Promise<ExportRecipient> {
    const firm = await this.load(firmId);
    const kind = encryption ?? (firm.recipientKey ? 'openpgp' : firm.ageRecipient ? 'age' : 'openpgp');
    const base = { firmId: firm.id, firmName: firm.name, purposes: firm.purposes };
    if (kind === 'passphrase') return { ...base, encryption: passphraseEncryption() };
    if (kind === 'age') {
      if (!firm.ageRecipient) {
        throw new ConflictException({ code: 'export.no-age-recipient', message: "Register the firm's age recipient first (PUT /firms/:id/age-recipient)" });
      }
      const recipient = firm.ageRecipient;
      return { ...base, encryption: { kind: 'age', keyId: recipient, encrypt: (text) => encryptForAgeRecipient(recipient, text) } };
    }
    if (!firm.recipientKey || !firm.recipientKeyFingerprint) {
      throw new ConflictException({
        code: 'export.no-recipient-key',
        message:
          "Register the firm's OpenPGP public key (PUT /firms/:id/recipient-key) or age recipient (PUT /firms/:id/age-recipient) first, or use a one-time passphrase",
      });
    }
    const key = firm.recipientKey;
    return {
      ...base,
      encryption: { kind: 'openpgp', keyId: firm.recipientKeyFingerprint, encrypt: (text, filename) => encryptForRecipient(key, text, filename) },
    };
  }

  /**
   * The firms a company clerk can hand an export to (提供): name, contract purposes, registered keys.
   * A firm's own account sees only its own firm (never the names of the company's other firms).
   */
  async recipients(staff: Pick<Staff, 'firm' | 'firmId'>) {
    const firms = (await this.repo.list()).filter((f) => !staff.firmId || f.id === staff.firmId);
    return {
      items: firms.map((f) => ({
        id: f.id,
        name: f.name,
        purposes: f.purposes,
        keys: [...(f.recipientKey ? (['openpgp'] as const) : []), ...(f.ageRecipient ? (['age'] as const) : [])],
      })),
    };
  }

  async list() {
    return { items: (await this.repo.list()).map((f) => this.view(f)) };
  }

  async get(id: string) {
    return this.view(await this.load(id));
  }

  /** A staff account of the firm, holding `clerk`; it waits for the responsible person once four eyes are set up. */
  async createAccount(firmId: string, dto: CreateFirmAccountDto, actor: Actor, request: RequestMeta) {
    await this.load(firmId);
    return this.users.create({ username: dto.username, displayName: dto.displayName, roles: ['clerk'] }, actor, request, 'api', { firmId });
  }

  /**
   * For the guard, on every request by a firm's account: the contract's purposes inside the
   * access window; outside it (or within the window but outside the contract dates) a 403, audited.
   */
  async accessFor(staff: Staff, request: RequestMeta): Promise<FirmAccess> {
    const firm = staff.firmId ? await this.repo.get(staff.firmId) : null;
    const now = this.clock.now();
    let reason: string | null = null;
    if (!firm) reason = 'no-contract';
    else if (now < firm.accessFrom || now >= firm.accessUntil) reason = 'outside-window';
    else if (now < startOfJapanDay(firm.contractStartsOn) || now >= nextJapanDay(firm.contractEndsOn)) reason = 'outside-contract';
    if (reason || !firm) {
      await this.audit.record({ action: 'firm.access-refused', outcome: 'refused', actor: staff, request, details: { firmId: staff.firmId, reason } });
      throw new ForbiddenException({
        code: `firm.${reason}`,
        message:
          reason === 'no-contract'
            ? 'This account belongs to an outside firm without a contract on file'
            : `This outside firm's accounts may work only from ${firm!.accessFrom.toISOString()} until ${firm!.accessUntil.toISOString()}, within its contract (${firm!.contractStartsOn} to ${firm!.contractEndsOn})`,
      });
    }
    return { id: firm.id, name: firm.name, purposes: firm.purposes };
  }

  private window(startsOn: string, endsOn: string, from?: string, until?: string): { accessFrom: Date; accessUntil: Date } {
    if (endsOn < startsOn) throw new BadRequestException({ code: 'firm.contract-dates', message: 'contractEndsOn must not be before contractStartsOn' });
    const accessFrom = from ? new Date(from) : startOfJapanDay(startsOn);
    const accessUntil = until ? new Date(until) : nextJapanDay(endsOn);
    if (!(accessUntil > accessFrom)) throw new BadRequestException({ code: 'firm.access-window', message: 'accessUntil must be after accessFrom' });
    return { accessFrom, accessUntil };
  }

  private checkPurposes(purposes: string[]): void {
    const unknown = purposes.filter((p) => !this.legal.purpose(p));
    if (unknown.length) {
      throw new BadRequestException({
        code: 'firm.unknown-purpose',
        message: `purposes must be configured purpose codes (GET /console/reference); unknown: ${unknown.length}`,
      });
    }
  }

  private checklist(current: ChecklistEntry[], items: ChecklistItemDto[], actor: Actor, now: Date): ChecklistEntry[] {
    const known = this.legal.compliance.outsideFirmChecklist.items;
    const bad = items.filter((i) => !known.some((k) => k.code === i.code));
    if (bad.length)
      throw new BadRequestException({
        code: 'firm.unknown-checklist-item',
        message: `checklist codes must be items of config/compliance.json: ${bad.map((b) => b.code).join(', ')}`,
      });
    return known.map((k) => {
      const given = items.find((i) => i.code === k.code);
      const before = current.find((c) => c.code === k.code);
      if (!given) return before ?? { code: k.code, done: false, note: null, checkedBy: null, checkedAt: null };
      return { code: k.code, done: given.done, note: given.note ?? null, checkedBy: actor.username, checkedAt: now.toISOString() };
    });
  }

  private async load(id: string, m?: Parameters<FirmsRepository['get']>[1], lock = false): Promise<OutsideFirm> {
    const firm = await this.repo.get(id, m, lock);
    if (!firm) throw new NotFoundException({ code: 'firm.not-found', message: 'No such outside firm' });
    return firm;
  }

  view(f: OutsideFirm) {
    const items = this.legal.compliance.outsideFirmChecklist.items;
    const now = this.clock.now();
    return {
      id: f.id,
      name: f.name,
      kind: f.kind,
      scope: f.scope,
      purposes: f.purposes,
      contractStartsOn: f.contractStartsOn,
      contractEndsOn: f.contractEndsOn,
      accessFrom: f.accessFrom.toISOString(),
      accessUntil: f.accessUntil.toISOString(),
      accessOpenNow: now >= f.accessFrom && now < f.accessUntil,
      checklistBasis: this.legal.compliance.outsideFirmChecklist.basis,
      checklist: items.map((k) => {
        const c = f.checklist.find((x) => x.code === k.code);
        return {
          code: k.code,
          label: k.label,
          basis: k.basis,
          done: c?.done ?? false,
          note: c?.note ?? null,
          checkedBy: c?.checkedBy ?? null,
          checkedAt: c?.checkedAt ?? null,
        };
      }),
      recipientKeyFingerprint: f.recipientKeyFingerprint ?? null,
      recipientKeySetAt: f.recipientKeySetAt?.toISOString() ?? null,
      ageRecipient: f.ageRecipient ?? null,
      ageRecipientSetAt: f.ageRecipientSetAt?.toISOString() ?? null,
      createdAt: f.createdAt.toISOString(),
      updatedAt: f.updatedAt.toISOString(),
    };
  }
}
