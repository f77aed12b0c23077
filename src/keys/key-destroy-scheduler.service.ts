import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { KeyRetirementService } from './key-retirement.service';

const INTERVAL_MS = 60 * 60 * 1000;
const STARTUP_DELAY_MS = 10_000;

/** Destroys retired key versions whose delay has passed: shortly after start, then hourly. */
@Injectable()
export class KeyDestroySchedulerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(KeyDestroySchedulerService.name);
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly retirement: KeyRetirementService) {}

  onApplicationBootstrap(): void {
    const once = setTimeout(() => void this.run(), STARTUP_DELAY_MS);
    const every = setInterval(() => void this.run(), INTERVAL_MS);
    once.unref();
    every.unref();
    this.timers.push(once, every);
  }

  onModuleDestroy(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private async run(): Promise<void> {
    try {
      const destroyed = await this.retirement.destroyDue();
      if (destroyed.length) this.logger.log(`Destroyed retired key versions ${destroyed.join(', ')}`);
    } catch (error) {
      this.logger.error(`Destroying retired key versions failed: ${(error as Error).message}`);
    }
  }
}
