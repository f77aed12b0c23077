import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { isNumberLike } from '@/common/screening/number-like';

/** A new UUID that the screening rule does not take for a number (its last group is not 12 digits). */
export function newRequestId(): string {
  for (;;) {
    const id = randomUUID();
    if (!isNumberLike(id)) return id;
  }
}

/** The caller's X-Request-Id when it is one string that carries something number-like (it is refused with 400). */
export function numberLikeRequestId(req: IncomingMessage): boolean {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && isNumberLike(given);
}

/**
 * The request's id (Fastify's genReqId): the caller's X-Request-Id when it is a plain token
 * and not number-like (it goes into logs and the append-only trail), else a new UUID.
 */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) && !isNumberLike(given) ? given : newRequestId();
}
