import type { ErrorCode } from '@/common/http/error-codes';

export const PASSWORD_MIN_LENGTH = 12;
/** argon2 accepts any length; a cap keeps a megabyte "password" from becoming work. */
export const PASSWORD_MAX_LENGTH = 256;

/** Why a new password is refused, or null. The message never repeats the password. */
export function passwordProblem(password: string, username: string): { code: ErrorCode; message: string } | null {
  if (password.length < PASSWORD_MIN_LENGTH) return { code: 'password.too-short', message: `newPassword must be at least ${PASSWORD_MIN_LENGTH} characters` };
  if (password.length > PASSWORD_MAX_LENGTH) return { code: 'password.too-long', message: `newPassword must be at most ${PASSWORD_MAX_LENGTH} characters` };
  if (password.toLowerCase().includes(username.toLowerCase()))
    return { code: 'password.contains-username', message: 'newPassword must not contain the username' };
  if (/^(.)\1+$/.test(password)) return { code: 'password.repeated-character', message: 'newPassword must not be one character repeated' };
  return null;
}
