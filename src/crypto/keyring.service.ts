import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Env } from '@/config/env.schema';
import { generateKeystoreContents, KeystoreContents, readKeystore, writeKeystore } from './keystore';

export interface KekVersion {
  version: number;
  key: Buffer;
}

/**
 * Holds the vault's keys in memory, loaded from the PKCS#12 keystore (created on first
 * start in development). The file is the source of truth: when another process rotates
 * keys, this service notices the new file and reloads, so a running service picks up the
 * new key version without a restart.
 */
@Injectable()
export class KeyringService {
  private readonly logger = new Logger(KeyringService.name);
  private readonly path: string;
  private readonly passphrase: string;
  private readonly fromEnvironment: boolean;
  private contents: KeystoreContents;
  private loadedMtimeMs = 0;
  private lastCheckMs = 0;

  constructor(config: ConfigService<Env, true>) {
    const dataDir = resolve(config.get('DATA_DIR', { infer: true }));
    const base64 = config.get('KEYSTORE_BASE64', { infer: true });
    this.fromEnvironment = !!base64;
    this.path = resolve(config.get('KEYSTORE_PATH', { infer: true }) ?? join(dataDir, 'keystore.p12'));
    this.passphrase = config.get('KEYSTORE_PASSPHRASE', { infer: true }) ?? this.developmentPassphrase(dataDir);
    if (base64) {
      this.contents = readKeystore(Buffer.from(base64, 'base64'), this.passphrase);
    } else if (existsSync(this.path)) {
      this.load();
    } else {
      this.logger.warn(`No keystore found: creating new keys at ${this.path}`);
      this.contents = generateKeystoreContents();
      this.save();
    }
  }

  /** Where the keys live, for start-up messages and operators. */
  get location(): string {
    return this.fromEnvironment ? 'KEYSTORE_BASE64 (environment)' : this.path;
  }

  /** The newest key-encryption key: new data keys are wrapped under it. */
  currentKek(): KekVersion {
    this.reloadIfChanged();
    const version = Math.max(...this.contents.keks.keys());
    return { version, key: this.contents.keks.get(version)! };
  }

  kek(version: number): Buffer {
    let key = this.contents.keks.get(version);
    if (!key) {
      this.reloadIfChanged(true);
      key = this.contents.keks.get(version);
    }
    if (!key) throw new Error(`key-encryption key version ${version} is not in the keystore`);
    return key;
  }

  get blindIndexKey(): Buffer {
    return this.contents.blindIndexKey;
  }

  get signingKeyPem(): string {
    return this.contents.signingKeyPem;
  }

  get signingCertPem(): string {
    return this.contents.signingCertPem;
  }

  /** Adds a new KEK version to the keystore file and returns it. Old versions stay readable. */
  addKekVersion(): KekVersion {
    if (this.fromEnvironment) {
      throw new Error('keys:rotate needs a keystore file: the keystore came from KEYSTORE_BASE64; rotate on the file and redeploy it');
    }
    this.load();
    const version = Math.max(...this.contents.keks.keys()) + 1;
    this.contents.keks.set(version, randomBytes(32));
    this.save();
    return { version, key: this.contents.keks.get(version)! };
  }

  private load(): void {
    this.contents = readKeystore(readFileSync(this.path), this.passphrase);
    this.loadedMtimeMs = statSync(this.path).mtimeMs;
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, writeKeystore(this.contents, this.passphrase), { mode: 0o600 });
    renameSync(tmp, this.path); // atomic: readers see the old file or the new one
    this.loadedMtimeMs = statSync(this.path).mtimeMs;
  }

  /** Checks the file at most once a second (or now, when forced) and reloads it if it changed. */
  private reloadIfChanged(force = false): void {
    if (this.fromEnvironment) return;
    const now = Date.now();
    if (!force && now - this.lastCheckMs < 1000) return;
    this.lastCheckMs = now;
    try {
      if (statSync(this.path).mtimeMs !== this.loadedMtimeMs) this.load();
    } catch (error) {
      this.logger.error(`Keystore reload failed: ${(error as Error).message}`);
    }
  }

  /** Development only: a random passphrase kept beside the data, created once. */
  private developmentPassphrase(dataDir: string): string {
    const file = join(dataDir, 'keystore.passphrase');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const passphrase = randomBytes(24).toString('base64url');
    writeFileSync(file, passphrase + '\n', { mode: 0o600 });
    this.logger.warn(`KEYSTORE_PASSPHRASE not set: generated a development passphrase in ${file}`);
    return passphrase;
  }
}
