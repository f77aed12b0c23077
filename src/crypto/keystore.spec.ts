import { execFileSync } from 'node:child_process';
import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeystoreContents, KEYSTORE_ITERATIONS, KeystoreContents, needsUpgrade, openKeystore, readKeystore, writeKeystore } from './keystore';

// Every derivation costs 600,000 PBKDF2 iterations: the file is written once and read a few times.
describe('PKCS#12 keystore', () => {
  const password = 'correct horse battery';
  let contents: KeystoreContents;
  let der: Buffer;
  let dir: string;
  let file: string;

  beforeAll(() => {
    contents = generateKeystoreContents();
    contents.keks.set(2, randomBytes(32));
    der = writeKeystore(contents, password);
    dir = mkdtempSync(join(tmpdir(), 'mnv-keystore-'));
    file = join(dir, 'keystore.p12');
    writeFileSync(file, der);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips every key through the password-protected file, at 600,000 iterations', () => {
    const { contents: back, parameters } = openKeystore(der, password);
    expect([...back.keks.keys()].sort()).toEqual([1, 2]);
    expect(back.keks.get(1)!.equals(contents.keks.get(1)!)).toBe(true);
    expect(back.keks.get(2)!.equals(contents.keks.get(2)!)).toBe(true);
    expect(back.blindIndexKey.equals(contents.blindIndexKey)).toBe(true);
    expect(back.signingCertPem).toContain('BEGIN CERTIFICATE');
    expect(createPublicKey(back.signingKeyPem).export({ type: 'spki', format: 'pem' })).toBe(
      createPublicKey(contents.signingKeyPem).export({ type: 'spki', format: 'pem' }),
    );
    expect(parameters).toEqual({ minIterations: KEYSTORE_ITERATIONS, macIterations: KEYSTORE_ITERATIONS, macDigest: 'sha256' });
    expect(KEYSTORE_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    expect(needsUpgrade(parameters)).toBe(false);
  });

  it('refuses a wrong password', () => {
    expect(() => readKeystore(der, 'wrong password!!')).toThrow(/wrong passphrase/);
  });

  it('holds no key bytes in the clear', () => {
    expect(der.includes(contents.keks.get(1)!)).toBe(false);
    expect(der.includes(contents.blindIndexKey)).toBe(false);
  });

  it('is a standard PKCS#12 file: openssl pkcs12 -info reads it with the passphrase, -nokeys gives the certificate', () => {
    const env = { ...process.env, MNV_P12_PASS: password };
    const info = execFileSync('openssl', ['pkcs12', '-info', '-noout', '-in', file, '-passin', 'env:MNV_P12_PASS'], { env, encoding: 'utf8', stdio: 'pipe' });
    expect(info).not.toMatch(/error/i);
    const err = execFileSync('sh', ['-c', `openssl pkcs12 -info -noout -in "${file}" -passin env:MNV_P12_PASS 2>&1 >/dev/null`], { env, encoding: 'utf8' });
    expect(err).toContain('MAC: sha256, Iteration 600000');
    expect(err).toContain('Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 600000, PRF hmacWithSHA256');
    const certs = execFileSync('openssl', ['pkcs12', '-nokeys', '-in', file, '-passin', 'env:MNV_P12_PASS'], { env, encoding: 'utf8', stdio: 'pipe' });
    expect(certs).toContain('friendlyName: audit-signing');
    expect(certs).toContain('BEGIN CERTIFICATE');
    // and a wrong passphrase is refused by openssl too
    expect(() => execFileSync('openssl', ['pkcs12', '-info', '-noout', '-in', file, '-passin', 'pass:wrong password!!'], { stdio: 'pipe' })).toThrow();
  });

  it('reads a keystore written by the earlier node-forge code (10,000 iterations, SHA-1 MAC) and says it needs an upgrade', () => {
    // Written by the code before issue #18; openssl rejected it (a MAC iteration count in non-minimal DER).
    const old = readFileSync(join(__dirname, 'fixtures', 'keystore-forge-10k.p12'));
    expect(() => execFileSync('openssl', ['pkcs12', '-info', '-noout', '-passin', 'pass:correct horse battery'], { input: old, stdio: 'pipe' })).toThrow();
    const { contents: back, parameters } = openKeystore(old, 'correct horse battery');
    expect([...back.keks.keys()].sort()).toEqual([1, 2]);
    expect(parameters).toEqual({ minIterations: 10_000, macIterations: 10_000, macDigest: 'sha1' });
    expect(needsUpgrade(parameters)).toBe(true);
  });
});
