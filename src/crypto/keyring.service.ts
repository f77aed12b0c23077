import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Env } from '@/config/env.schema';
import { generateKeystoreContents, KeystoreContents, needsUpgrade, openKeystore, readKeystore, writeKeystore } from './keystore';

export interface KekVersion {
  version: number;
  key: Buffer;
}

/**
 * Thrown by every key access while the keystore is sealed (custody mode, before k key holders
 * have entered their shares). The HTTP layer answers 503 `vault.sealed` before it gets here.
 */
export class VaultSealedError extends Error {
  readonly code = 'vault.sealed';
  constructor() {
    super('The vault is sealed: key holders must enter their shares before keys can be used');
  }
}

/** Custody mode (issue #18): the keystore passphrase is a random master secret split k-of-n (Shamir). */
export interface CustodyDescriptor {
  version: 1;
  /** Changes at every rekey: a share of an earlier set names an older id. */
  setId: string;
  threshold: number;
  createdAt: string;
  holders: { userId: string; username: string; index: number; shareSha256: string }[];
}

/**
 * Holds the vault's keys in memory, loaded from the PKCS#12 keystore (created on first
 * start outside production; `keys:init` in production). The file is the source of truth: when
 * another process rotates keys, this service notices the new file and reloads, so a running
 * service picks up the new key version without a restart.
 *
 * Two ways to open it: auto-unseal (KEYSTORE_PASSPHRASE, or the development passphrase file) or
 * custody mode, when `<keystore>.custody.json` exists beside the file: the service starts sealed
 * and holds no key until `unseal()` receives the master secret combined from k shares.
 */
@Injectable()
export class KeyringService {
  private readonly logger = new Logger(KeyringService.name);
  private readonly path: string;
  private passphrase: string | undefined;
  private readonly fromEnvironment: boolean;
  private contents: KeystoreContents | undefined;
  private custodyDescriptor: CustodyDescriptor | undefined;
  private loadedMtimeMs = 0;
  private lastCheckMs = 0;

  constructor(private readonly config: ConfigService<Env, true>) {
    const base64 = config.get('KEYSTORE_BASE64', { infer: true });
    this.fromEnvironment = !!base64;
    this.path = keystorePath(config);
    const production = config.get('NODE_ENV', { infer: true }) === 'production';
    if (!base64 && !existsSync(this.path) && production) throw new Error(missingKeystoreMessage(this.path));
    if (!base64 && existsSync(this.custodyPath)) {
      this.custodyDescriptor = JSON.parse(readFileSync(this.custodyPath, 'utf8')) as CustodyDescriptor;
      this.logger.warn(`Custody mode: the vault is sealed until ${this.custodyDescriptor.threshold} key holders enter their shares`);
      return;
    }
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

  /** True in custody mode until k key holders have unsealed the keystore; never in auto-unseal mode. */
  get sealed(): boolean {
    return !this.contents;
  }

  /** Custody mode's descriptor (threshold, holders, share fingerprints), or undefined in auto-unseal mode. */
  get custody(): CustodyDescriptor | undefined {
    return this.custodyDescriptor;
  }

  /** Where the keys live, for start-up messages and operators. */
  get location(): string {
    return this.fromEnvironment ? 'KEYSTORE_BASE64 (environment)' : this.path;
  }

  /** Opens the sealed keystore with the master secret combined from the holders' shares; throws if it does not open it. */
  unseal(passphrase: string): void {
    if (!this.sealed) return;
    const { contents } = openKeystore(readFileSync(this.path), passphrase);
    this.passphrase = passphrase;
    this.contents = contents;
    this.loadedMtimeMs = statSync(this.path).mtimeMs;
  }

  /**
   * Custody set-up and rekey: rewrites the keystore under a new passphrase (the Shamir master
   * secret) and writes the descriptor beside it. Nothing written lets the service open it alone.
   */
  enterCustody(passphrase: string, descriptor: CustodyDescriptor): void {
    if (this.fromEnvironment) throw new Error('custody mode needs a keystore file, not KEYSTORE_BASE64');
    const contents = this.keys;
    const tmp = `${this.custodyPath}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(descriptor, null, 2) + '\n', { mode: 0o600 });
    writeKeystoreFile(this.path, contents, passphrase);
    renameSync(tmp, this.custodyPath);
    this.passphrase = passphrase;
    this.custodyDescriptor = descriptor;
    this.loadedMtimeMs = statSync(this.path).mtimeMs;
  }

  /**
   * Whether leaving custody can find the auto-unseal passphrase it will write the keystore under:
   * KEYSTORE_PASSPHRASE, or outside production the development passphrase file (created if need be).
   */
  autoUnsealPassphraseAvailable(): boolean {
    return !!this.config.get('KEYSTORE_PASSPHRASE', { infer: true }) || this.config.get('NODE_ENV', { infer: true }) !== 'production';
  }

  /**
   * Back from custody to auto-unseal (the vault must be unsealed): rewrites the keystore under the
   * auto-unseal passphrase (KEYSTORE_PASSPHRASE, or the development file) and removes the custody
   * descriptor, so the next start opens the keystore alone. The shares stop meaning anything.
   */
  leaveCustody(): void {
    if (!this.custodyDescriptor) return;
    const contents = this.keys;
    const passphrase = keystorePassphrase(this.config, this.logger);
    // The keystore first, then the descriptor: a crash in between leaves a descriptor whose shares
    // no longer open the file; deleting the descriptor by hand then finishes the switch.
    writeKeystoreFile(this.path, contents, passphrase);
    rmSync(this.custodyPath, { force: true });
    this.passphrase = passphrase;
    this.custodyDescriptor = undefined;
    this.loadedMtimeMs = statSync(this.path).mtimeMs;
  }

  /** The newest key-encryption key: new data keys are wrapped under it. */
  currentKek(): KekVersion {
    this.reloadIfChanged();
    const keks = this.keys.keks;
    const version = Math.max(...keks.keys());
    return { version, key: keks.get(version)! };
  }

  kek(version: number): Buffer {
    let key = this.keys.keks.get(version);
    if (!key) {
      this.reloadIfChanged(true);
      key = this.keys.keks.get(version);
    }
    if (!key) throw new Error(`key-encryption key version ${version} is not in the keystore`);
    return key;
  }

  get blindIndexKey(): Buffer {
    return this.keys.blindIndexKey;
  }

  get signingKeyPem(): string {
    return this.keys.signingKeyPem;
  }

  get signingCertPem(): string {
    return this.keys.signingCertPem;
  }

  /** Adds a new KEK version to the keystore file and returns it. Old versions stay readable. */
  addKekVersion(): KekVersion {
    if (this.fromEnvironment) {
      throw new Error('keys:rotate needs a keystore file: the keystore came from KEYSTORE_BASE64; rotate on the file and redeploy it');
    }
    this.load();
    const keks = this.keys.keks;
    const version = Math.max(...keks.keys()) + 1;
    keks.set(version, randomBytes(32));
    this.save();
    return { version, key: keks.get(version)! };
  }

  /** The KEK versions the keystore holds now, oldest first. */
  kekVersions(): number[] {
    this.reloadIfChanged(true);
    return [...this.keys.keks.keys()].sort((a, b) => a - b);
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
    const keks = this.keys.keks;
    if (version === Math.max(...keks.keys())) throw new Error(`key version ${version} is the current one and cannot be destroyed`);
    const key = keks.get(version);
    if (!key) return; // already gone (another instance, or a second run)
    keks.delete(version);
    this.save();
    key.fill(0);
  }

  private get custodyPath(): string {
    return `${this.path}.custody.json`;
  }

  private get keys(): KeystoreContents {
    if (!this.contents) throw new VaultSealedError();
    return this.contents;
  }

  private load(): void {
    if (this.passphrase === undefined) throw new VaultSealedError();
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
    if (this.passphrase === undefined) throw new VaultSealedError();
    writeKeystoreFile(this.path, this.keys, this.passphrase);
    this.loadedMtimeMs = statSync(this.path).mtimeMs;
  }

  /** Checks the file at most once a second (or now, when forced) and reloads it if it changed. */
  private reloadIfChanged(force = false): void {
    if (this.fromEnvironment || this.sealed) return;
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
