import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { TooManyRequestsException } from '@/auth/locked.exception';
import { Env } from '@/config/env.schema';

/**
 * Rate limits on the submitter's routes, per client address and per link, with the throttler's
 * in-memory storage (per instance, like the login limit). Every request counts, so wrong numbers
 * and repeated attempts on one link run out together.
 */
@Injectable()
export class CollectionRateLimitService implements OnApplicationShutdown {
  private readonly storage = new ThrottlerStorageService();
  private readonly perLink: number;
  private readonly perAddress: number;
  private readonly windowMs: number;

  constructor(config: ConfigService<Env, true>) {
    this.perLink = config.get('COLLECTION_RATE_LIMIT_PER_LINK', { infer: true });
    this.perAddress = config.get('COLLECTION_RATE_LIMIT_PER_ADDRESS', { infer: true });
    this.windowMs = config.get('COLLECTION_RATE_WINDOW_SECONDS', { infer: true }) * 1000;
  }

  /** Counts one request; throws 429 (with Retry-After) when the address or the link is over its limit. */
  async hit(clientAddress: string | null, linkKey: string | null): Promise<void> {
    const address = await this.storage.increment(`addr:${clientAddress ?? '-'}`, this.windowMs, this.perAddress, this.windowMs, 'collection-address');
    if (address.isBlocked) {
      throw this.refuse(address.timeToBlockExpire, 'collection.rate-limited-address', 'Too many requests from this address; wait and try again');
    }
    if (!linkKey) return;
    const link = await this.storage.increment(`link:${linkKey}`, this.windowMs, this.perLink, this.windowMs, 'collection-link');
    if (link.isBlocked) {
      throw this.refuse(link.timeToBlockExpire, 'collection.rate-limited-link', 'Too many attempts with this link; wait and try again');
    }
  }

  private refuse(seconds: number, code: string, message: string): TooManyRequestsException {
    const error = new TooManyRequestsException(seconds, message);
    (error.getResponse() as Record<string, unknown>).code = code;
    return error;
  }

  onApplicationShutdown(): void {
    this.storage.onApplicationShutdown();
  }
}
