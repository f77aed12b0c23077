import { ConfigService } from '@nestjs/config';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Env } from '@/config/env.schema';
import { KeyringService } from './keyring.service';
import { KEYSTORE_ITERATIONS, openKeystore } from './keystore';

describe('KeyringService', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mnv-keyring-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (extra: Record<string, unknown> = {}) =>
    new ConfigService({
      DATA_DIR: dir,
      KEYSTORE_PATH: join(dir, 'keystore.p12'),
      KEYSTORE_PASSPHRASE: 'correct horse battery',
      NODE_ENV: 'test',
      ...extra,
    }) as unknown as ConfigService<Env, true>;

  it('requires KEYSTORE_PASSPHRASE in production (auto-unseal mode)', () => {
    copyFileSync(join(__dirname, 'fixtures', 'keystore-forge-10k.p12'), join(dir, 'keystore.p12'));
    // ConfigService falls back to process.env (the e2e global set-up sets a passphrase there)
    const saved = process.env.KEYSTORE_PASSPHRASE;
    delete process.env.KEYSTORE_PASSPHRASE;
    try {
      expect(() => new KeyringService(config({ NODE_ENV: 'production', KEYSTORE_PASSPHRASE: undefined }))).toThrow(/KEYSTORE_PASSPHRASE: required/);
    } finally {
      if (saved !== undefined) process.env.KEYSTORE_PASSPHRASE = saved;
    }
  });

  it('upgrades a keystore written with the old parameters in place when a key version is added', () => {
    copyFileSync(join(__dirname, 'fixtures', 'keystore-forge-10k.p12'), join(dir, 'keystore.p12'));
    const keyring = new KeyringService(config());
    const v1 = keyring.kek(1);
    expect(keyring.addKekVersion().version).toBe(3);
    const { contents, parameters } = openKeystore(readFileSync(join(dir, 'keystore.p12')), 'correct horse battery');
    expect(parameters).toEqual({ minIterations: KEYSTORE_ITERATIONS, macIterations: KEYSTORE_ITERATIONS, macDigest: 'sha256' });
    expect([...contents.keks.keys()].sort()).toEqual([1, 2, 3]);
    expect(contents.keks.get(1)!.equals(v1)).toBe(true);
  });
});
