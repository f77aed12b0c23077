import { HttpException, HttpStatus } from '@nestjs/common';

/** 429 with Retry-After (seconds); the global filter copies `headers` onto the response. */
export class TooManyRequestsException extends HttpException {
  readonly headers: Record<string, string>;

  constructor(retryAfterSeconds: number, message: string, code?: string) {
    super({ statusCode: HttpStatus.TOO_MANY_REQUESTS, ...(code ? { code } : {}), error: 'Too Many Requests', message }, HttpStatus.TOO_MANY_REQUESTS);
    this.headers = { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
  }
}

/** Second-factor codes are in backoff (reached only with a valid challenge or session: the password is known). */
export function secondFactorBackoff(retryAfterSeconds: number): TooManyRequestsException {
  return new TooManyRequestsException(
    retryAfterSeconds,
    `Too many wrong codes: wait ${Math.max(1, Math.ceil(retryAfterSeconds))} seconds, then log in again`,
    'auth.second-factor-backoff',
  );
}

/** Too many wrong current passwords inside a session (POST /me/password). */
export function passwordBackoff(retryAfterSeconds: number): TooManyRequestsException {
  return new TooManyRequestsException(
    retryAfterSeconds,
    `Too many wrong passwords: wait ${Math.max(1, Math.ceil(retryAfterSeconds))} seconds and try again`,
    'auth.password-backoff',
  );
}
