import { newRecoveryCode, recoveryCodeHash } from './staff-credentials.service';

describe('recovery codes', () => {
  it('are 16 base32 characters (80 bits) in groups of four, all different', () => {
    const codes = Array.from({ length: 200 }, newRecoveryCode);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('hash the same whatever the case, spaces or hyphens', () => {
    const code = newRecoveryCode();
    const typed = ` ${code.toUpperCase().replace(/-/g, ' ')} `;
    expect(recoveryCodeHash(typed).equals(recoveryCodeHash(code))).toBe(true);
    expect(recoveryCodeHash(code).equals(recoveryCodeHash(newRecoveryCode()))).toBe(false);
  });
});
