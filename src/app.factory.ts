import { INestApplication } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ErrorCode } from '@/common/http/error-codes';
import { completeOpenApiDocument } from '@/common/http/openapi-document';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { JSON_BODY_LIMIT_BYTES, useBodyParsing } from './common/http/body-parsing';
import { numberLikeRequestId, requestIdFor } from './common/http/request-id';
import { createLimitedServer, httpLimits } from './common/http/slow-clients';
import type { Env } from './config/env.schema';
import { NUMBER_LIKE_CODE } from './common/screening/no-number-like.decorator';
import { createValidationPipe } from './common/http/validation.pipe';
import { securityHeaders } from './common/http/security-headers';
import { useRequestLog } from './common/logging/request-log';

/**
 * Builds the HTTP application exactly as production runs it; tests use the same function.
 *
 * Fastify, not Express, under Nest: on the reveal path the framework cost more CPU than the
 * reveal itself (docs/performance.md). Fastify sends no ETag (for a reveal that would be a hash
 * of the number), and its request id is ours (X-Request-Id or a new UUID).
 *
 * The settings are handed in, validated once by the caller (main.ts: `validateEnv` of the
 * environment after the database choice; tests: their own settings objects); nothing reads the
 * environment when a module is imported.
 */
export async function createApp(settings: Env): Promise<INestApplication> {
  const limits = httpLimits(settings);
  const adapter = new FastifyAdapter({
    // slow clients: timeouts and a per-address connection cap (issue #16; docs/security.md)
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => createLimitedServer(limits, handler),
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    genReqId: (req: IncomingMessage) => requestIdFor(req),
    logger: false, // requests are logged through nestjs-pino's logger (useRequestLog)
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false },
    // While shutting down, a request on an open connection is still served (the queue and the
    // database close after the server); Fastify's default would answer it 503.
    return503OnClosing: false,
    // Errors Fastify's router answers itself (before Nest sees the request) get registered codes too.
    frameworkErrors: (error: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode ?? 400;
      const code = ({ FST_ERR_BAD_URL: 'url.invalid', FST_ERR_MAX_PARAM_LENGTH: 'url.too-long' } as Record<string, ErrorCode>)[error.code] ?? `http.${status}`;
      void reply.code(status).send({
        statusCode: status,
        code,
        error: STATUS_CODES[status] ?? 'Error',
        message: code === 'url.too-long' ? 'A path parameter is too long' : 'The URL could not be read',
      });
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(settings), adapter, {
    bodyParser: false,
    bufferLogs: true,
    // A provider that cannot start (no keystore in production, ...) rejects here with its message,
    // which main.ts prints, instead of Nest aborting the process.
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  await useRequestLog(app);
  // helmet's default headers, computed once (src/common/http/security-headers.ts: @fastify/helmet
  // rebuilt them on every request). Every answer also names its request id, so a caller can quote
  // it and an admin find the log line. A caller's X-Request-Id that could carry a personal number
  // is refused before anything is stored (it would go into the append-only trail); the answer
  // names our own id instead. One hook for both: it runs on every request, the reveal's included.
  const headers = securityHeaders();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (req, reply, done) => {
      reply.headers(headers).header('X-Request-Id', req.id);
      if (numberLikeRequestId(req.raw)) {
        reply.status(400).send({
          statusCode: 400,
          code: NUMBER_LIKE_CODE,
          error: 'Bad Request',
          message: 'X-Request-Id must not contain a number-like value (12 digits, with or without separators); send another id or none',
        });
        return;
      }
      done();
    });
  useBodyParsing(app);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const openApi = new DocumentBuilder()
    .setTitle('mynumber-vault')
    .setDescription('Vault for My Number (個人番号) records: purpose-bound, audited, encrypted at rest')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  // The contract (issue #20): every error answer has one shape (its `code` enum is the registry in
  // src/common/http/error-codes.ts), ids are uuids, the bearer token is opaque; see docs/api.md.
  const document = () => completeOpenApiDocument(SwaggerModule.createDocument(app, openApi));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  // Initialised and ready here, so a caller (or a test talking to getHttpServer()) finds every
  // route in place; a later init() or listen() does not repeat it.
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
