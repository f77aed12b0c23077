import { checkSeparationOfDuties } from './separation-of-duties';

describe('checkSeparationOfDuties', () => {
  const ctx = { actorId: 'a', targetId: 'b', rolesChanged: true, onePersonCompany: false };
  const code = (f: () => unknown) => {
    try {
      f();
      return null;
    } catch (e) {
      return (e as { getResponse(): { code: string } }).getResponse().code;
    }
  };
  it('refuses own role changes, clerk+auditor always, admin+clerk outside a one-person company', () => {
    expect(code(() => checkSeparationOfDuties(['admin', 'auditor'], { ...ctx, targetId: 'a' }))).toBe('roles.own-change');
    expect(code(() => checkSeparationOfDuties(['clerk', 'auditor'], { ...ctx, onePersonCompany: true }))).toBe('roles.clerk-and-auditor');
    expect(code(() => checkSeparationOfDuties(['admin', 'clerk'], ctx))).toBe('roles.admin-and-clerk');
  });
  it('allows the rest; admin+clerk in a one-person company is a flagged exception', () => {
    expect(checkSeparationOfDuties(['admin', 'auditor'], ctx)).toEqual({ exception: null });
    expect(checkSeparationOfDuties(['admin', 'clerk'], { ...ctx, onePersonCompany: true })).toEqual({ exception: 'admin+clerk' });
    expect(checkSeparationOfDuties(['admin'], { ...ctx, targetId: 'a', rolesChanged: false })).toEqual({ exception: null });
  });
});
