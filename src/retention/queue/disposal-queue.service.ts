import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Queue } from 'bull';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { closeQueue, withTimeout } from '@/common/queue/bull-queue';
import { DisposalAlarmsProcessor } from './disposal-alarms.processor';
import { reportRedisOutages } from './redis-outage';
import { DISPOSAL_ALARMS_QUEUE, JOB_SUBJECT_DUE, JOB_SWEEP, QUEUE_COMMAND_TIMEOUT_MS, SubjectDueJob, SWEEP_JOB_ID } from './queue.constants';

/**
 * The only code besides the processor that knows Bull. Services ask it to schedule a person's
 * alarm; it never throws to them: while Redis is down a scheduling call fails fast, is logged,
 * and the database-driven sweep raises the alarm instead (design.md: losing Redis delays an
 * alarm by at most one sweep, never loses one).
 */
@Injectable()
export class DisposalQueueService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DisposalQueueService.name);
  private readonly sweepEveryMs: number;
  private readonly recoveredListeners: (() => void)[] = [];
  private wasReady = false;
  private outages: { stop(): void } | null = null;
  /** A failed scheduling call is logged once per outage (the demo's 21 people gave 21 warnings; issue #22). */
  private scheduleWarned = false;

  constructor(
    @InjectQueue(DISPOSAL_ALARMS_QUEUE) private readonly queue: Queue,
    private readonly processor: DisposalAlarmsProcessor,
    private readonly clock: ClockService,
    config: ConfigService<Env, true>,
  ) {
    this.sweepEveryMs = config.get('SWEEP_INTERVAL_MS', { infer: true });
  }

  onApplicationBootstrap(): void {
    // Bull re-emits connection errors on the queue; an outage is logged once, and only when Redis
    // stays away (a connect timeout on a busy start-up is not one; issue #22).
    this.outages = reportRedisOutages(this.queue, this.logger, 'the disposal-alarm queue (the sweep covers alarms meanwhile)');
    this.queue.on('failed', (job, error) => this.logger.warn(`Queue job ${job.name} ${job.id} failed: ${error.message}`));

    const client = this.queue.client;
    client.on('ready', () => {
      const recovered = this.wasReady;
      this.wasReady = true;
      this.scheduleWarned = false;
      void this.registerSweep();
      if (recovered) {
        this.logger.log('Redis is back for the disposal-alarm queue');
        for (const listener of this.recoveredListeners) listener();
      }
    });
    if (client.status === 'ready') {
      this.wasReady = true;
      void this.registerSweep();
    }

    // Workers: these promises wait (they do not fail) while Redis is away; never leave them unhandled.
    this.queue
      .process(JOB_SUBJECT_DUE, 2, (job) => this.processor.subjectDue(job))
      .catch((error: Error) => this.logger.error(`Queue worker (${JOB_SUBJECT_DUE}) stopped: ${error.message}`));
    this.queue
      .process(JOB_SWEEP, 1, () => this.processor.sweep())
      .catch((error: Error) => this.logger.error(`Queue worker (${JOB_SWEEP}) stopped: ${error.message}`));
  }

  /**
   * Drains, then closes: a job being processed finishes first (the database is still open: it
   * closes after this hook), within 10 s; then the connections (made through createClient, so
   * Bull leaves them open). A job cut off by the timeout is retried (job id = subject id), and
   * the sweep raises any alarm it missed.
   */
  async onApplicationShutdown(): Promise<void> {
    this.outages?.stop();
    await closeQueue(this.queue, 10_000, this.logger);
  }

  /** True while the queue's Redis connection is up (the in-process fallback sweep runs otherwise). */
  isAvailable(): boolean {
    return this.queue.client.status === 'ready';
  }

  /** Called after Redis comes back from an outage (the scheduler runs a catch-up sweep). */
  onRecovered(listener: () => void): void {
    this.recoveredListeners.push(listener);
  }

  /**
   * (Re)schedules a person's alarm job at `runAt`, or removes it when `runAt` is null.
   * Delays come from the ClockService. Returns false (logged) when Redis is unavailable.
   */
  async schedule(subjectId: string, runAt: Date | null): Promise<boolean> {
    try {
      await withTimeout(
        (async () => {
          const existing = await this.queue.getJob(subjectId);
          if (existing) await existing.remove();
          if (runAt) {
            const delay = Math.max(0, runAt.getTime() - this.clock.now().getTime());
            await this.queue.add(JOB_SUBJECT_DUE, { subjectId } satisfies SubjectDueJob, { jobId: subjectId, delay });
          }
        })(),
        QUEUE_COMMAND_TIMEOUT_MS,
        'schedule',
      );
      return true;
    } catch (error) {
      if (this.scheduleWarned) {
        this.logger.debug(`Could not schedule a disposal-alarm job: ${(error as Error).message}`);
      } else {
        this.scheduleWarned = true;
        this.logger.warn(
          `Could not schedule disposal-alarm jobs while Redis is unavailable (the sweep raises due alarms; said once until Redis is back): ${(error as Error).message}`,
        );
      }
      return false;
    }
  }

  /** The pending job for a person, if any (operations and tests); runAt is Redis's wall-clock time. */
  async scheduled(subjectId: string): Promise<{ delay: number; runAt: Date; state: string } | null> {
    const job = await withTimeout(this.queue.getJob(subjectId), QUEUE_COMMAND_TIMEOUT_MS, 'getJob');
    if (!job) return null;
    return { delay: job.opts.delay ?? 0, runAt: new Date(job.timestamp + (job.opts.delay ?? 0)), state: await job.getState() };
  }

  /** Queue state for admins (in place of a dashboard): connection, job counts, next sweep. */
  async status(): Promise<{ available: boolean; counts: Record<string, number> | null; nextSweepAt: string | null; sweepEveryMs: number }> {
    if (!this.isAvailable()) return { available: false, counts: null, nextSweepAt: null, sweepEveryMs: this.sweepEveryMs };
    try {
      const [counts, repeatable] = await withTimeout(
        Promise.all([this.queue.getJobCounts(), this.queue.getRepeatableJobs()]),
        QUEUE_COMMAND_TIMEOUT_MS,
        'status',
      );
      const sweep = repeatable.find((j) => j.name === JOB_SWEEP);
      return {
        available: true,
        counts: counts as unknown as Record<string, number>,
        nextSweepAt: sweep?.next ? new Date(sweep.next).toISOString() : null,
        sweepEveryMs: this.sweepEveryMs,
      };
    } catch {
      return { available: false, counts: null, nextSweepAt: null, sweepEveryMs: this.sweepEveryMs };
    }
  }

  /** The repeatable sweep: one per interval across all instances (Bull deduplicates by repeat key). */
  private async registerSweep(): Promise<void> {
    try {
      await withTimeout(
        (async () => {
          for (const job of await this.queue.getRepeatableJobs()) {
            if (job.name === JOB_SWEEP && Number(job.every) !== this.sweepEveryMs) await this.queue.removeRepeatableByKey(job.key);
          }
          await this.queue.add(JOB_SWEEP, {}, { jobId: SWEEP_JOB_ID, repeat: { every: this.sweepEveryMs } });
        })(),
        QUEUE_COMMAND_TIMEOUT_MS * 2,
        'register sweep',
      );
    } catch (error) {
      this.logger.warn(`Could not register the repeatable sweep (the in-process timer sweeps meanwhile): ${(error as Error).message}`);
    }
  }
}
