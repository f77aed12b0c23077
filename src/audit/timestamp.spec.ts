import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTsa, startLocalTsa } from '../../test/support/local-tsa';
import { requestTimestamp, timeStampRequest, tokenFromResponse, verifyTimestampToken } from './timestamp';

/**
 * RFC 3161 against a real TSA: `openssl ts -reply` with a test CA made by openssl (test/support/local-tsa.ts).
 * Both directions are checked with openssl itself: our request is one openssl reads, our token
 * verification agrees with `openssl ts -verify`.
 */
describe('RFC 3161 timestamps (local openssl TSA)', () => {
  let tsa: LocalTsa;
  const dir = mkdtempSync(join(tmpdir(), 'mnv-ts-spec-'));
  const data = Buffer.from('mynumber-vault audit tree head v1\nsize=1190\nroot=' + 'ab'.repeat(32) + '\nat=2026-12-01T10:00:00.000000Z\n', 'ascii');

  beforeAll(async () => {
    tsa = await startLocalTsa();
  }, 60_000);
  afterAll(async () => {
    await tsa?.close();
  });

  it('builds a TimeStampReq that openssl reads (SHA-256 imprint, nonce, certReq)', () => {
    const { der, nonce } = timeStampRequest(data, Buffer.from('0102030405060708', 'hex'));
    writeFileSync(join(dir, 'q.tsq'), der);
    const text = execFileSync('openssl', ['ts', '-query', '-in', join(dir, 'q.tsq'), '-text'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(text).toMatch(/Hash Algorithm: sha256/);
    const imprint = createHash('sha256').update(data).digest('hex');
    expect(text.replace(/[\s-]+/g, '')).toContain(imprint.slice(0, 16));
    expect(text).toMatch(/Nonce: 0x0102030405060708/);
    expect(text).toMatch(/Certificate required: yes/);
    expect(nonce.toString('hex')).toBe('0102030405060708');
  });

  it('gets a token for the data that verifies here and with openssl ts -verify', async () => {
    const { token, info } = await requestTimestamp(tsa.url, data);
    expect(Math.abs(Date.parse(info.genTime) - Date.now())).toBeLessThan(120_000);
    expect(verifyTimestampToken(token, data, tsa.caPem)).toEqual({ ok: true, genTime: info.genTime });
    writeFileSync(join(dir, 'token.tst'), token);
    writeFileSync(join(dir, 'data.txt'), data);
    writeFileSync(join(dir, 'ca.pem'), tsa.caPem);
    const out = execFileSync(
      'openssl',
      ['ts', '-verify', '-token_in', '-in', join(dir, 'token.tst'), '-data', join(dir, 'data.txt'), '-CAfile', join(dir, 'ca.pem')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out).toMatch(/Verification: OK/);
  }, 60_000);

  it('refuses a token for other data, from an untrusted CA, or altered', async () => {
    const { token } = await requestTimestamp(tsa.url, data);
    const other = Buffer.from(data.toString('ascii').replace('size=1190', 'size=1180'), 'ascii');
    expect(verifyTimestampToken(token, other, tsa.caPem)).toMatchObject({ ok: false, reason: expect.stringContaining('message imprint') });
    const stranger = await startLocalTsa();
    try {
      expect(verifyTimestampToken(token, data, stranger.caPem)).toMatchObject({ ok: false, reason: expect.stringContaining('not one you trust') });
    } finally {
      await stranger.close();
    }
    // flip one byte of the genTime inside the signed TSTInfo: the signature no longer covers it
    const at = token.indexOf(Buffer.from(new Date().getUTCFullYear().toString(), 'ascii'));
    expect(at).toBeGreaterThan(0);
    const altered = Buffer.from(token);
    altered[at + 3] = altered[at + 3]! ^ 1;
    expect(verifyTimestampToken(altered, data, tsa.caPem).ok).toBe(false);
    expect(verifyTimestampToken(Buffer.from('not der'), data, tsa.caPem)).toMatchObject({ ok: false });
  }, 120_000);

  it('reports a refused request and an outage as errors', async () => {
    expect(() => tokenFromResponse(Buffer.from('30053003020102', 'hex'))).toThrow(/refused the request \(PKIStatus 2\)/);
    tsa.failNext(1);
    await expect(requestTimestamp(tsa.url, data)).rejects.toThrow(/answered 503/);
  });
});
