import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Env } from '@/config/env.schema';

export interface HttpLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnectionsPerAddress: number;
}

/** The limits from the validated settings (the server is made before Nest starts). */
export function httpLimits(
  settings: Pick<Env, 'HTTP_REQUEST_TIMEOUT_MS' | 'HTTP_HEADERS_TIMEOUT_MS' | 'HTTP_KEEP_ALIVE_TIMEOUT_MS' | 'HTTP_MAX_CONNECTIONS_PER_ADDRESS'>,
): HttpLimits {
  return {
    requestTimeoutMs: settings.HTTP_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: settings.HTTP_HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: settings.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnectionsPerAddress: settings.HTTP_MAX_CONNECTIONS_PER_ADDRESS,
  };
}

/**
 * Issue #16, finding 6: the HTTP server (Fastify's serverFactory) with request, header and
 * keep-alive timeouts checked every second (Node's default check runs every 30 s), and a cap on
 * connections per client address: a connection over the cap is closed at once. A request that
 * does not arrive whole in time is answered 408 and its connection closed.
 */
export function createLimitedServer(limits: HttpLimits, handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: 1000,
    },
    handler,
  );
  if (limits.maxConnectionsPerAddress > 0) {
    const open = new Map<string, number>();
    server.on('connection', (socket: Socket) => {
      const address = socket.remoteAddress ?? '';
      const count = (open.get(address) ?? 0) + 1;
      if (count > limits.maxConnectionsPerAddress) {
        socket.destroy();
        return;
      }
      open.set(address, count);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left <= 0) open.delete(address);
        else open.set(address, left);
      });
    });
  }
  return server;
}
