import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

const ids = new WeakMap<IncomingMessage, string>();

/**
 * The request's id: the caller's X-Request-Id when it is a plain token, else a new UUID. Asked
 * for twice per request (by Fastify for its request object, by the request logger), so it is
 * remembered per request and both see the same id, which is also echoed as X-Request-Id.
 */
export function requestIdOf(req: IncomingMessage, res?: ServerResponse): string {
  let id = ids.get(req);
  if (!id) {
    const given = req.headers['x-request-id'];
    id = typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
    ids.set(req, id);
  }
  if (res && !res.headersSent && !res.hasHeader('X-Request-Id')) res.setHeader('X-Request-Id', id);
  return id;
}
