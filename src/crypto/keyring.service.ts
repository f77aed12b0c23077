import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Env } from '@/config/env.schema';
import { generateKeystoreContents, KeystoreContents, needsUpgrade, openKeystore, readKeystore, writeKeystore } from './keystore';

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
    const base64 = config.get('KEYSTORE_BASE64', { infer: true });
    this.fromEnvironment = !!base64;
    this.path = keystorePath(config);
    const production = config.get('NODE_ENV', { infer: true }) === 'production';
    if (!base64 && !existsSync(this.path) && production) throw new Error(missingKeystoreMessage(this.path));
    this.passphrase = keystorePassphrase(config, this.logger);
    if (base64) {
      this.contents = readKeystore(Buffer.from(base64, 'base64'), this.passphrase);
    } else if (existsSync(this.path)) {
      this.load();
    } else {
      // Development, test and trial mode only (production stops above): keys:init does this explicitly.
      this.logger.warn(`No keystore found: creating new keys at ${this.path}`);
      this.contents = generateKeystoreContents();
      this.save();
    }
  }

  /** True until custody holders have unsealed the keystore (issue #18); false in auto-unseal mode. */
  get sealed(): boolean {
    return false;
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

  /** The KEK versions the keystore holds now, oldest first. */
  kekVersions(): number[] {
    this.reloadIfChanged(true);
    return [...this.contents.keks.keys()].sort((a, b) => a - b);
  }

  /**
   * Destroys an old KEK version in the keystore file (key retirement): every data key that was
   * wrapped only under it, in any backup, can never be read again. The current version cannot be.
   */
  destroyKekVersion(version: number): void {
    if (this.fromEnvironment) {
      throw new Error('key retirement needs a keystore file: the keystore came from KEYSTORE_BASE64; retire on the file and redeploy it');
    }
    this.load();
    if (version === Math.max(...this.contents.keks.keys())) throw new Error(`key version ${version} is the current one and cannot be destroyed`);
    const key = this.contents.keks.get(version);
    if (!key) return; // already gone (another instance, or a second run)
    this.contents.keks.delete(version);
    this.save();
    key.fill(0);
  }

  private load(): void {
    const { contents, parameters } = openKeystore(readFileSync(this.path), this.passphrase);
    this.contents = contents;
    this.loadedMtimeMs = statSync(this.path).mtimeMs;
    if (needsUpgrade(parameters)) {
      this.logger.warn(
        `The keystore uses ${parameters.minIterations} PBKDF2 iterations and a ${parameters.macDigest} MAC (${parameters.macIterations} iterations): keys:rotate rewrites it with 600,000`,
      );
    }
  }

  private save(): void {
    writeKeystoreFile(this.path, this.contents, this.passphrase);
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

}

/** Where the keystore file is: KEYSTORE_PATH, else $DATA_DIR/keystore.p12. */
export function keystorePath(config: ConfigService<Env, true>): string {
  const dataDir = resolve(config.get('DATA_DIR', { infer: true }));
  return resolve(config.get('KEYSTORE_PATH', { infer: true }) ?? join(dataDir, 'keystore.p12'));
}

/** The start-up error when production finds no keystore: names the setting and the command. */
export function missingKeystoreMessage(path: string): string {
  return (
    `No keystore at ${path} (KEYSTORE_PATH). With NODE_ENV=production the service never creates keys: ` +
    'set KEYSTORE_PATH to the existing keystore (or give it as KEYSTORE_BASE64), or create a new one once with `npm run cli -- keys:init`'
  );
}

/**
 * KEYSTORE_PASSPHRASE, or (outside production) a random development passphrase kept beside the
 * data in $DATA_DIR/keystore.passphrase, created once.
 */
export function keystorePassphrase(config: ConfigService<Env, true>, logger: Logger): string {
  const configured = config.get('KEYSTORE_PASSPHRASE', { infer: true });
  if (configured) return configured;
  if (config.get('NODE_ENV', { infer: true }) === 'production') {
    throw new Error('KEYSTORE_PASSPHRASE: required when NODE_ENV=production');
  }
  const dataDir = resolve(config.get('DATA_DIR', { infer: true }));
  const file = join(dataDir, 'keystore.passphrase');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const passphrase = randomBytes(24).toString('base64url');
  writeFileSync(file, passphrase + '\n', { mode: 0o600 });
  logger.warn(`KEYSTORE_PASSPHRASE not set: generated a development passphrase in ${file}`);
  return passphrase;
}

/** keys:init: writes fresh keys to a new keystore file; never overwrites one. */
export function initialiseKeystore(config: ConfigService<Env, true>, logger: Logger): { path: string; contents: KeystoreContents } {
  if (config.get('KEYSTORE_BASE64', { infer: true })) {
    throw new Error('KEYSTORE_BASE64 is set: the keystore already exists (in the environment); keys:init writes a file at KEYSTORE_PATH');
  }
  const path = keystorePath(config);
  if (existsSync(path)) throw new Error(`A keystore already exists at ${path}: keys:init never overwrites keys`);
  const passphrase = keystorePassphrase(config, logger);
  const contents = generateKeystoreContents();
  writeKeystoreFile(path, contents, passphrase);
  return { path, contents };
}

/** Writes the file atomically (readers see the old file or the new one), owner-only. */
export function writeKeystoreFile(path: string, contents: KeystoreContents, passphrase: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, writeKeystore(contents, passphrase), { mode: 0o600 });
  renameSync(tmp, path);
}
