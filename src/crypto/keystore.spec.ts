import { randomBytes } from 'node:crypto';
import { generateKeystoreContents, readKeystore, writeKeystore } from './keystore';

describe('PKCS#12 keystore', () => {
  const contents = generateKeystoreContents();
  contents.keks.set(2, randomBytes(32));

  it('round-trips every key through the password-protected file', () => {
    const der = writeKeystore(contents, 'correct horse battery');
    const back = readKeystore(der, 'correct horse battery');
    expect([...back.keks.keys()].sort()).toEqual([1, 2]);
    expect(back.keks.get(1)!.equals(contents.keks.get(1)!)).toBe(true);
    expect(back.keks.get(2)!.equals(contents.keks.get(2)!)).toBe(true);
    expect(back.blindIndexKey.equals(contents.blindIndexKey)).toBe(true);
    expect(back.signingCertPem).toContain('BEGIN CERTIFICATE');
    expect(back.signingKeyPem).toContain('PRIVATE KEY');
  });

  it('refuses a wrong password', () => {
    const der = writeKeystore(contents, 'correct horse battery');
    expect(() => readKeystore(der, 'wrong password!!')).toThrow();
  });

  it('holds no key bytes in the clear', () => {
    const der = writeKeystore(contents, 'correct horse battery');
    expect(der.includes(contents.keks.get(1)!)).toBe(false);
    expect(der.includes(contents.blindIndexKey)).toBe(false);
  });
});
