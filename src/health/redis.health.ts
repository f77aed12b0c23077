import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { Env } from '@/config/env.schema';

/** What /health says while Redis does not answer. */
export const QUEUE_OFF = 'queue off: Redis does not answer; the in-process sweep raises due disposal alarms';

/** Pings Redis with its own short-timeout connection: Redis being down degrades, never blocks. */
@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private readonly redis: Redis;

  constructor(
    config: ConfigService<Env, true>,
    private readonly indicators: HealthIndicatorService,
  ) {
    this.redis = new Redis(config.get('REDIS_URL', { infer: true }), {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      retryStrategy: () => 2000,
    });
    this.redis.on('error', () => undefined); // reported through the health check, not as crashes
    this.redis.connect().catch(() => undefined);
  }

  async check(key: string) {
    const indicator = this.indicators.check(key);
    try {
      let timer: NodeJS.Timeout | undefined;
      const pong = await Promise.race([
        this.redis.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), 1000);
        }),
      ]).finally(() => clearTimeout(timer));
      return pong === 'PONG' ? indicator.up() : indicator.down({ message: QUEUE_OFF });
    } catch {
      // not ioredis' "Stream isn't writeable and enableOfflineQueue options is false" (issue #22)
      return indicator.down({ message: QUEUE_OFF });
    }
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
