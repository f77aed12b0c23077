export const PASSWORD_MIN_LENGTH = 12;
/** argon2 accepts any length; a cap keeps a megabyte "password" from becoming work. */
export const PASSWORD_MAX_LENGTH = 256;

/** Why a new password is refused, or null. The message never repeats the password. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `newPassword must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `newPassword must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (password.toLowerCase().includes(username.toLowerCase())) return 'newPassword must not contain the username';
  if (/^(.)\1+$/.test(password)) return 'newPassword must not be one character repeated';
  return null;
}
