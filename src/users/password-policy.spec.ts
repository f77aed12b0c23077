import { passwordProblem } from './password-policy';

describe('passwordProblem', () => {
  it('accepts a long password without the username', () => {
    expect(passwordProblem('correct horse battery', 'sato')).toBeNull();
  });
  it('refuses short passwords', () => {
    expect(passwordProblem('short-pass1', 'sato')?.message).toMatch(/at least 12/);
  });
  it('refuses a password containing the username, in any case', () => {
    expect(passwordProblem('my-SATO-password-2026', 'sato')?.code).toBe('password.contains-username');
  });
  it('refuses one repeated character', () => {
    expect(passwordProblem('aaaaaaaaaaaaaaaa', 'sato')?.message).toMatch(/repeated/);
  });
});
