import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes (256 bits), base64url: a link cannot be guessed. Only its SHA-256 is stored. */
export function newLinkToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashLinkToken(token) };
}

export function hashLinkToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A well-formed token: 43 base64url characters. Anything else is refused before a lookup. */
export function isWellFormedToken(token: unknown): token is string {
  return typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token);
}

/**
 * The submitter's link. The token sits in the fragment (#…): browsers never send it to the
 * server in the request line, so it is in no access log; the page hands it to the API in a header.
 */
export function linkFor(baseUrl: string, token: string): string {
  return `${new URL('/collect', baseUrl).toString()}#${token}`;
}
