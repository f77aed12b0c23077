/**
 * Usernames: 3 to 32 characters, lower-case ASCII letters, digits, dot, underscore or hyphen,
 * starting with a letter (so never digits only). Input is trimmed and lower-cased first.
 */
export const USERNAME_PATTERN = /^[a-z][a-z0-9._-]{2,31}$/;
export const USERNAME_RULE = 'username must be 3 to 32 characters: a letter, then letters, digits, ".", "_" or "-"';

export function normalizeUsername(value: unknown): unknown {
  return typeof value === 'string' ? value.trim().toLowerCase() : value;
}

export function isValidUsername(value: string): boolean {
  return USERNAME_PATTERN.test(value);
}
