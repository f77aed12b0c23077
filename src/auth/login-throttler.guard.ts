import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { TooManyRequestsException } from './locked.exception';

/**
 * Per-address rate limit on the login routes (LOGIN_RATE_LIMIT_PER_MINUTE per route and
 * address). Answers 429 in the service's error shape with Retry-After.
 */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new TooManyRequestsException(detail.timeToBlockExpire, 'Too many login attempts from this address; wait and try again', 'login.rate-limited');
  }
}
