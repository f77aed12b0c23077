import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Env } from '@/config/env.schema';
import { AlarmsService } from './alarms.service';
import { DisposalQueueService } from './queue/disposal-queue.service';

const STARTUP_SWEEP_DELAY_MS = 5000;

/**
 * The sweep's triggers besides Bull's repeatable job: a plain in-process timer that sweeps
 * whenever the queue is unavailable at its tick, one catch-up sweep shortly after start-up, and
 * one when Redis comes back. All of them call AlarmsService.sweep (advisory lock: one instance
 * at a time, the others skip).
 */
@Injectable()
export class SweepSchedulerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SweepSchedulerService.name);
  private readonly intervalMs: number;
  private readonly onStart: boolean;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly alarms: AlarmsService,
    private readonly queue: DisposalQueueService,
    config: ConfigService<Env, true>,
  ) {
    // setInterval cannot wait longer than 2^31-1 ms (~24.8 days); longer settings tick at that
    this.intervalMs = Math.min(config.get('SWEEP_INTERVAL_MS', { infer: true }), 2 ** 31 - 1);
    this.onStart = config.get('SWEEP_ON_START', { infer: true });
  }

  onApplicationBootstrap(): void {
    const fallback = setInterval(() => {
      if (!this.queue.isAvailable()) void this.run('fallback-sweep');
    }, this.intervalMs);
    fallback.unref();
    this.timers.push(fallback);
    if (this.onStart) {
      const once = setTimeout(() => void this.run('startup-sweep'), STARTUP_SWEEP_DELAY_MS);
      once.unref();
      this.timers.push(once);
    }
    this.queue.onRecovered(() => void this.run('redis-recovered-sweep'));
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private async run(trigger: string): Promise<void> {
    if (this.stopped) return;
    try {
      const result = await this.alarms.sweep(trigger, { wait: false });
      if (result === null) this.logger.debug(`Sweep (${trigger}) skipped: another instance is sweeping`);
    } catch (error) {
      this.logger.error(`Sweep (${trigger}) failed: ${(error as Error).message}`);
    }
  }
}
