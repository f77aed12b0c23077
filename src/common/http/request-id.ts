import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';

/** The request's id (Fastify's genReqId): the caller's X-Request-Id when it is a plain token, else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
}
