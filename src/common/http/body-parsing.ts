import { BadRequestException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** The largest JSON body any route accepts (bulk requests list at most a few thousand ids). */
export const JSON_BODY_LIMIT_BYTES = 256 * 1024;

/**
 * Our own JSON parser: the framework's default answers a malformed body with the parser's
 * message, which quotes the input (and so could echo a number). Prototype poisoning is refused
 * as Fastify's own parser does. Too large a body is refused by Fastify itself (413) before this runs.
 */
export function useBodyParsing(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  // Only JSON is spoken: any other body type is a 415 from Fastify.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT_BYTES }, (req, body, done) => {
    if (body.length === 0) return done(null, {}); // an empty JSON body reads as {} (as it always has), not an error
    parse(req, String(body), (error: Error | null, value?: unknown) =>
      error ? done(new BadRequestException('Request body is not valid JSON'), undefined) : done(null, value),
    );
  });
}
