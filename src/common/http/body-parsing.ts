import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
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
  fastify.removeAllContentTypeParsers();
  // Only JSON is spoken: a body of any other type (or of none named) is refused, saying what to send.
  fastify.addContentTypeParser('*', (_req, _payload, done) =>
    done(
      new UnsupportedMediaTypeException({ code: 'body.unsupported-type', message: 'Send the request body as JSON (Content-Type: application/json)' }),
      undefined,
    ),
  );
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT_BYTES }, (req, body, done) => {
    if (body.length === 0) return done(null, {}); // an empty JSON body reads as {} (as it always has), not an error
    // Fastify's parser answers through the callback; its returned promise carries nothing more.
    void parse(req, String(body), (error: Error | null, value?: unknown) => {
      if (error) return done(new BadRequestException({ code: 'body.not-json', message: 'Request body is not valid JSON' }), undefined);
      // Every route's body is an object (the OpenAPI document says so); `null`, a bare value or an
      // array would otherwise reach validation as "no fields" and pass where every field is optional.
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return done(new BadRequestException({ code: 'body.not-object', message: 'The request body must be a JSON object' }), undefined);
      }
      done(null, value);
    });
  });
}
