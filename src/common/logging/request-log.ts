import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PinoLogger } from 'nestjs-pino';
import { redactDigits } from './redact';

/**
 * One log line per answered request: its id, method, path (digit runs redacted), status and
 * time (a successful `GET /me`, the console's session check, at debug level). The query string is left out (a search can carry a name), and so are headers and bodies.
 *
 * Written from a Fastify hook instead of nestjs-pino's per-request middleware (pino-http through
 * middie, plus an AsyncLocalStorage context for every request): that middleware cost about a
 * quarter of the service's CPU per reveal (docs/performance.md). Service logs still go through
 * nestjs-pino; they carry the request id where it matters (the exception filter names it).
 */
export async function useRequestLog(app: NestFastifyApplication): Promise<void> {
  const logger = (await app.resolve(PinoLogger)).logger;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (req, reply, done) => {
      const path = req.url.split('?', 1)[0]!;
      // the console's session check (GET /me) is most of the traffic: debug when it succeeds (issue #22)
      const level = req.method === 'GET' && path === '/me' && reply.statusCode < 400 ? 'debug' : 'info';
      if (req.url !== '/health' && logger.isLevelEnabled(level)) {
        logger[level](
          {
            reqId: req.id,
            req: { method: req.method, url: redactDigits(path) },
            res: { statusCode: reply.statusCode },
            responseTime: Math.round(reply.elapsedTime),
          },
          'request completed',
        );
      }
      done();
    });
}
