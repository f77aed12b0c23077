import { BadRequestException, ConflictException, ForbiddenException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OnEvent } from '@nestjs/event-emitter';
import { randomBytes } from 'node:crypto';
import { combine, split } from 'shamir-secret-sharing';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { CustodyDescriptor, KeyringService } from '@/crypto/keyring.service';
import { STAFF_SESSIONS_END, StaffSessionsEndEvent } from '@/users/users.events';
import { UsersService } from '@/users/users.service';
import { CustodyRepository, CustodyTask } from './custody.repository';
import { formatShare, parseShare, shareFingerprint } from './share-code';

type Actor = Pick<Staff, 'userId' | 'username' | 'roles'>;

/** What a signed-in person learns about their own share: whether one waits for them (never the share). */
export interface MyShareStatus {
  mode: 'auto-unseal' | 'custody';
  holder: boolean;
  waiting: boolean;
  threshold: number | null;
  shares: number | null;
  setId: string | null;
}

export interface CustodyStatus {
  mode: 'auto-unseal' | 'custody';
  sealed: boolean;
  threshold: number | null;
  shares: number | null;
  /** Valid shares entered so far while sealed. */
  received: number;
  setId: string | null;
}

export interface CustodyView extends CustodyStatus {
  holders: { userId: string; username: string; collected: boolean }[];
  tasks: CustodyTask[];
}

/**
 * Key custody (issue #18), after HashiCorp Vault's sealed start: an admin replaces the keystore
 * passphrase with a random 256-bit master secret split with Shamir's scheme
 * (`shamir-secret-sharing`, audited) into n shares for n named staff, any k of whom unseal.
 *
 * - Each share waits in this process's memory until its holder collects it (once); it is never
 *   written anywhere. The descriptor beside the keystore keeps only the shares' SHA-256.
 * - On start the service is sealed; holders enter shares (POST /custody/unseal, the console's
 *   unseal page); shares entered are kept in memory only, and k valid ones unseal.
 * - Rekey (a holder leaves) issues a new set: every old share stops working. Deactivating a
 *   holder's account opens a rekey task for admins.
 */
@Injectable()
export class CustodyService {
  private readonly logger = new Logger(CustodyService.name);
  /** Shares entered while sealed: fingerprint -> share. */
  private readonly entered = new Map<string, Buffer>();
  /** Issued shares not yet collected: userId -> share text. Memory only. */
  private readonly waiting = new Map<string, string>();
  private readonly stepUpMs: number;

  constructor(
    private readonly keyring: KeyringService,
    private readonly users: UsersService,
    private readonly repository: CustodyRepository,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    config: ConfigService<Env, true>,
  ) {
    this.stepUpMs = config.get('STEP_UP_MINUTES', { infer: true }) * 60_000;
  }

  status(): CustodyStatus {
    const custody = this.keyring.custody;
    return {
      mode: custody ? 'custody' : 'auto-unseal',
      sealed: this.keyring.sealed,
      threshold: custody?.threshold ?? null,
      shares: custody?.holders.length ?? null,
      received: this.entered.size,
      setId: custody?.setId ?? null,
    };
  }

  async view(): Promise<CustodyView> {
    const custody = this.keyring.custody;
    return {
      ...this.status(),
      holders: (custody?.holders ?? []).map((h) => ({ userId: h.userId, username: h.username, collected: !this.waiting.has(h.userId) })),
      tasks: await this.repository.openTasks(),
    };
  }

  /** Switches to custody mode, or (already in it) issues a new set of shares: rekey. */
  async issueShares(threshold: number, holderIds: string[], actor: Actor, request: RequestMeta): Promise<CustodyView> {
    if (this.keyring.sealed) throw this.sealedError();
    if (threshold > holderIds.length) {
      throw new BadRequestException({
        code: 'custody.threshold-too-high',
        message: `threshold (${threshold}) cannot exceed the number of holders (${holderIds.length})`,
      });
    }
    const holders = [];
    for (const id of holderIds) {
      const account = await this.users.get(id).catch(() => null);
      if (!account || account.status !== 'active') {
        throw new BadRequestException({ code: 'custody.holder-inactive', message: `Share holder ${id} is not an active staff account` });
      }
      holders.push(account);
    }
    const rekey = !!this.keyring.custody;
    const master = randomBytes(32);
    const setId = randomBytes(4).toString('hex');
    try {
      const shares = await split(new Uint8Array(master), holders.length, threshold);
      const descriptor: CustodyDescriptor = {
        version: 1,
        setId,
        threshold,
        createdAt: this.clock.now().toISOString(),
        holders: holders.map((h, i) => ({ userId: h.id, username: h.username, index: i + 1, shareSha256: shareFingerprint(shares[i]!) })),
      };
      this.keyring.enterCustody(master.toString('base64url'), descriptor);
      this.waiting.clear();
      holders.forEach((h, i) => this.waiting.set(h.id, formatShare(setId, shares[i]!)));
      shares.forEach((s) => s.fill(0));
    } finally {
      master.fill(0);
    }
    const closed = await this.repository.closeRekeyTasks(actor.username, this.clock.now());
    await this.audit.record({
      action: rekey ? 'custody.rekeyed' : 'custody.enabled',
      outcome: 'success',
      actor,
      request,
      details: { setId, threshold, holders: holders.map((h) => h.username), tasksClosed: closed },
    });
    return this.view();
  }

  /** A holder collects their share, once; it is gone from memory afterwards. */
  async collectShare(actor: Actor, request: RequestMeta): Promise<{ share: string; setId: string; threshold: number; shares: number }> {
    const share = this.waiting.get(actor.userId);
    const custody = this.keyring.custody;
    if (!share || !custody) {
      throw new NotFoundException({
        code: 'custody.no-share-waiting',
        message: 'No share is waiting for you: a share is shown only once, right after set-up or rekey, on the instance that issued it',
      });
    }
    this.waiting.delete(actor.userId);
    await this.audit.record({ action: 'custody.share-collected', outcome: 'success', actor, request, details: { setId: custody.setId } });
    return { share, setId: custody.setId, threshold: custody.threshold, shares: custody.holders.length };
  }

  /** GET /custody/my-share: whether a share waits for this person (the console shows the collect button). */
  myShare(actor: Actor): MyShareStatus {
    const custody = this.keyring.custody;
    return {
      mode: custody ? 'custody' : 'auto-unseal',
      holder: !!custody?.holders.some((h) => h.userId === actor.userId),
      waiting: this.waiting.has(actor.userId),
      threshold: custody?.threshold ?? null,
      shares: custody?.holders.length ?? null,
      setId: custody?.setId ?? null,
    };
  }

  /**
   * Back to auto-unseal (an admin, the vault unsealed): proven either by k current shares (the
   * holders agree) or by a recent step-up (a fresh TOTP code). The keystore is written back under
   * the auto-unseal passphrase and the descriptor removed: from the next start the service opens
   * the vault alone again, so whoever holds KEYSTORE_PASSPHRASE can read everything. Audited.
   */
  async leaveCustody(shareTexts: string[] | undefined, actor: Staff, request: RequestMeta): Promise<CustodyView> {
    const custody = this.keyring.custody;
    if (!custody) throw new ConflictException({ code: 'custody.not-in-custody', message: 'The vault is already in auto-unseal mode' });
    if (this.keyring.sealed) throw this.sealedError();
    let proof: 'shares' | 'step-up';
    let holders: string[] = [];
    if (shareTexts?.length) {
      holders = this.holdersOf(shareTexts, custody);
      if (holders.length < custody.threshold) {
        throw new BadRequestException({
          code: 'custody.shares-too-few',
          message: `${holders.length} different valid shares given; ${custody.threshold} are needed to switch back to auto-unseal`,
        });
      }
      proof = 'shares';
    } else {
      const now = this.clock.now().getTime();
      if (!actor.stepUpAt || now - actor.stepUpAt.getTime() > this.stepUpMs) {
        throw new ForbiddenException({
          code: 'custody.step-up-required',
          message: `Enter a fresh TOTP code (POST /auth/step-up), or give ${custody.threshold} shares, to switch back to auto-unseal`,
        });
      }
      proof = 'step-up';
    }
    if (!this.keyring.autoUnsealPassphraseAvailable()) {
      throw new ConflictException({
        code: 'custody.passphrase-not-set',
        message: 'Set KEYSTORE_PASSPHRASE for the service (it is ignored while in custody) and restart it, then switch back: the keystore is written under it',
      });
    }
    this.keyring.leaveCustody();
    this.waiting.clear();
    this.entered.clear();
    const closed = await this.repository.closeRekeyTasks(actor.username, this.clock.now());
    this.logger.warn(`Custody ended by ${actor.username} (${proof}): the keystore opens with its passphrase again`);
    await this.audit.record({
      action: 'custody.disabled',
      outcome: 'success',
      actor,
      request,
      details: { setId: custody.setId, threshold: custody.threshold, proof, ...(holders.length ? { holders } : {}), tasksClosed: closed },
    });
    return this.view();
  }

  /** The holders whose current shares are among these texts (each once); refuses malformed, stale or unknown ones. */
  private holdersOf(texts: string[], custody: CustodyDescriptor): string[] {
    const found = new Set<string>();
    for (const text of texts) {
      const parsed = parseShare(text);
      if (!parsed) {
        throw new BadRequestException({
          code: 'custody.share-malformed',
          message: 'This is not a share: it starts with MNV- and has two more parts; check for a typing error',
        });
      }
      if (parsed.setId !== custody.setId) {
        throw new BadRequestException({ code: 'custody.share-stale', message: 'A share belongs to an earlier set: shares were re-issued (rekey)' });
      }
      const holder = custody.holders.find((h) => h.shareSha256 === shareFingerprint(parsed.share));
      parsed.share.fill(0);
      if (!holder) throw new BadRequestException({ code: 'custody.share-unknown', message: 'A share is not one of the current set' });
      found.add(holder.username);
    }
    return [...found];
  }

  /** One holder's share while sealed; the k-th valid one unseals. */
  async enterShare(text: string, request: RequestMeta): Promise<CustodyStatus> {
    const custody = this.keyring.custody;
    if (!custody || !this.keyring.sealed) {
      throw new ConflictException({ code: 'custody.not-sealed', message: 'The vault is not sealed: no share is needed' });
    }
    const parsed = parseShare(text);
    if (!parsed) {
      throw new BadRequestException({
        code: 'custody.share-malformed',
        message: 'This is not a share: it starts with MNV- and has two more parts; check for a typing error',
      });
    }
    const holder = custody.holders.find((h) => h.shareSha256 === shareFingerprint(parsed.share));
    if (parsed.setId !== custody.setId || !holder) {
      await this.audit.record({
        action: 'custody.share-refused',
        outcome: 'refused',
        actorUsername: 'unseal',
        request,
        details: { setId: parsed.setId, reason: parsed.setId !== custody.setId ? 'stale' : 'unknown' },
      });
      if (parsed.setId !== custody.setId) {
        throw new BadRequestException({
          code: 'custody.share-stale',
          message: 'This share belongs to an earlier set: shares were re-issued (rekey) and it no longer works',
        });
      }
      throw new BadRequestException({
        code: 'custody.share-unknown',
        message: 'This share is not one of the current set: check it was entered exactly as issued',
      });
    }
    const fingerprint = holder.shareSha256;
    if (this.entered.has(fingerprint)) {
      throw new ConflictException({
        code: 'custody.share-duplicate',
        message: `The share of ${holder.username} was already entered: another holder must enter theirs`,
      });
    }
    this.entered.set(fingerprint, parsed.share);
    await this.audit.record({
      action: 'custody.share-entered',
      outcome: 'success',
      actorUsername: holder.username,
      request,
      details: { setId: custody.setId, received: this.entered.size, threshold: custody.threshold },
    });
    if (this.entered.size >= custody.threshold) await this.unseal(custody, request);
    return this.status();
  }

  private async unseal(custody: CustodyDescriptor, request: RequestMeta): Promise<void> {
    const shares = [...this.entered.values()];
    const holders = custody.holders.filter((h) => this.entered.has(h.shareSha256)).map((h) => h.username);
    this.entered.clear();
    const master = Buffer.from(await combine(shares.map((s) => new Uint8Array(s))));
    shares.forEach((s) => s.fill(0));
    try {
      this.keyring.unseal(master.toString('base64url'));
    } catch (error) {
      this.logger.error(`Unseal failed: ${(error as Error).message}`);
      await this.audit.record({ action: 'custody.unsealed', outcome: 'failure', actorUsername: 'unseal', request, details: { setId: custody.setId, holders } });
      throw new BadRequestException({
        code: 'custody.unseal-failed',
        message: 'The shares combined do not open the keystore (does it match this descriptor?): enter them again',
      });
    } finally {
      master.fill(0);
    }
    this.logger.log(`Unsealed by ${holders.join(', ')}`);
    await this.audit.record({ action: 'custody.unsealed', outcome: 'success', actorUsername: 'unseal', request, details: { setId: custody.setId, holders } });
  }

  /** Offboarding: a share holder's account was deactivated, so the shares must be re-issued. */
  @OnEvent(STAFF_SESSIONS_END, { promisify: true })
  async onStaffSessionsEnd(event: StaffSessionsEndEvent): Promise<void> {
    if (event.reason !== 'deactivated') return;
    const holder = this.keyring.custody?.holders.find((h) => h.userId === event.userId);
    if (!holder) return;
    const opened = await this.repository.openRekeyTask(holder.userId, holder.username, 'share holder deactivated', this.clock.now());
    if (opened) {
      this.waiting.delete(holder.userId);
      await this.audit.record({
        action: 'custody.rekey-required',
        outcome: 'success',
        actorUsername: 'system',
        details: { userId: holder.userId, username: holder.username, setId: this.keyring.custody!.setId },
      });
    }
  }

  private sealedError() {
    return new ConflictException({ code: 'vault.sealed', message: 'The vault is sealed: unseal it first' });
  }
}
