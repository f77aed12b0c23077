import type { ErrorCode } from '@/common/http/error-codes';
import { HttpException, HttpStatus } from '@nestjs/common';

/** 429 with Retry-After (seconds); the global filter copies `headers` onto the response. */
export class TooManyRequestsException extends HttpException {
  readonly headers: Record<string, string>;

  constructor(retryAfterSeconds: number, code: ErrorCode, message: string) {
    super({ statusCode: HttpStatus.TOO_MANY_REQUESTS, code, error: 'Too Many Requests', message }, HttpStatus.TOO_MANY_REQUESTS);
    this.headers = { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
  }
}

export function accountLocked(retryAfterSeconds: number): TooManyRequestsException {
  return new TooManyRequestsException(
    retryAfterSeconds,
    'login.locked',
    `Too many failed attempts: this account is locked; try again in ${Math.max(1, Math.ceil(retryAfterSeconds))} seconds`,
  );
}
