import { ClockService } from '@/config/clock.service';
import { TotpService, totpStep } from './totp.service';

// RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (base32 below): 8-digit codes whose
// last six digits are the 6-digit codes.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const VECTORS: [number, string][] = [
  [59, '287082'],
  [1111111109, '081804'],
  [1234567890, '005924'],
  [2000000000, '279037'],
];

describe('TotpService', () => {
  const clock = new ClockService();
  const totp = new TotpService(clock);
  afterEach(() => clock.reset());

  it.each(VECTORS)('matches RFC 6238 at t=%i', (seconds, code) => {
    clock.set(new Date(seconds * 1000));
    expect(totp.generate(RFC_SECRET)).toBe(code);
    expect(totp.verify(code, RFC_SECRET)).toBe(totpStep(clock.now()));
  });

  it('accepts one step of drift either way, and answers the step the code belongs to', () => {
    clock.set(new Date(1_700_000_000_000));
    const now = totpStep(clock.now());
    const previous = totp.generate(RFC_SECRET, new Date((now - 1) * 30_000));
    const next = totp.generate(RFC_SECRET, new Date((now + 1) * 30_000));
    const tooOld = totp.generate(RFC_SECRET, new Date((now - 2) * 30_000));
    expect(totp.verify(previous, RFC_SECRET)).toBe(now - 1);
    expect(totp.verify(next, RFC_SECRET)).toBe(now + 1);
    expect(totp.verify(tooOld, RFC_SECRET)).toBeNull();
  });

  it('refuses malformed codes without throwing', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 456']) expect(totp.verify(code, RFC_SECRET)).toBeNull();
  });

  it('makes 160-bit secrets and an otpauth URL for authenticator apps', () => {
    const secret = totp.generateSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(totp.otpauthUrl('sato.h', secret));
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('issuer')).toBe('mynumber-vault');
  });
});
