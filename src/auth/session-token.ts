import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, base64url (43 characters): what the client holds. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database holds: SHA-256 of the token (a database reader cannot use it). */
export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
