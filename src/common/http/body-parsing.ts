import type { INestApplication } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';

export const JSON_BODY_LIMIT = '256kb';

/**
 * Our own JSON parser and its error handler: the framework's default would answer a
 * malformed body with the parser's message, which quotes the input (and so could echo a number).
 */
export function useBodyParsing(app: INestApplication): void {
  app.use(express.json({ limit: JSON_BODY_LIMIT, strict: true }));
  app.use((error: { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (!error) return next();
    const tooLarge = error.type === 'entity.too.large';
    const status = tooLarge ? 413 : (error.status ?? 400) < 500 ? (error.status ?? 400) : 400;
    res.status(status).json({
      statusCode: status,
      error: tooLarge ? 'Payload Too Large' : 'Bad Request',
      message: tooLarge
        ? `Request body is larger than ${JSON_BODY_LIMIT}`
        : error.type === 'entity.parse.failed'
          ? 'Request body is not valid JSON'
          : 'Request body could not be read',
    });
  });
}
