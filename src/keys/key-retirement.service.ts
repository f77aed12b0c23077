import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
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
}

/**
 * KEK retirement: after keys:rotate has re-wrapped every data key, an admin retires the old
 * version; it is destroyed in the keystore KEY_RETIREMENT_DELAY_DAYS later (the backup
 * retention), and the trail records both steps. Once destroyed, every backup that still needs
 * that version is crypto-erased: a disposed number in an old dump can never be read again.
 */
@Injectable()
export class KeyRetirementService {
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
    config: ConfigService<Env, true>,
  ) {
    this.delayMs = config.get('KEY_RETIREMENT_DELAY_DAYS', { infer: true }) * DAY_MS;
  }

  async list(): Promise<KeyVersionView[]> {
    const present = this.keyring.kekVersions();
    const current = this.keyring.currentKek().version;
    const counts = await this.dataKeyCounts();
    const retired = new Map((await this.repository.all()).map((r) => [r.version, r]));
    const versions = [...new Set([...present, ...retired.keys(), ...Object.keys(counts).map(Number)])].sort((a, b) => a - b);
    return versions.map((version) => this.view(version, current, present.includes(version), counts[String(version)] ?? 0, retired.get(version)));
  }

  /** Retires an old version: refused while any data key still uses it or when it is the current one. */
  async retire(version: number, actor: Pick<Staff, 'userId' | 'username' | 'roles'> | null, request: RequestMeta | null): Promise<KeyVersionView> {
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
      if (inUse > 0) {
        throw new ConflictException({
          code: 'keys.version-in-use',
          message: `${inUse} data keys are still wrapped under version ${version}: run keys:rotate (again) until none is, then retire it`,
        });
      }
      await this.repository.insert(m, { version, retiredAt: now, retiredBy: actor?.userId ?? null, retiredByUsername: actor?.username ?? 'cli', destroyAfter });
      await this.audit.record(
        {
          action: 'keys.retired',
          outcome: 'success',
          actor,
          actorUsername: actor ? undefined : 'cli',
          request,
          details: { version, destroyAfter: destroyAfter.toISOString(), delayDays: this.delayMs / DAY_MS },
        },
        m,
      );
    });
    if (this.delayMs === 0) await this.destroyDue();
    return (await this.list()).find((v) => v.version === version)!;
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

  private view(version: number, current: number, present: boolean, dataKeys: number, r: RetirementRow | undefined): KeyVersionView {
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
