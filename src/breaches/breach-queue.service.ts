import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { ClockService } from '@/config/clock.service';
import { closeQueue, withTimeout } from '@/common/queue/bull-queue';
import { QUEUE_COMMAND_TIMEOUT_MS } from '@/retention/queue/queue.constants';
import { reportRedisOutages } from '@/retention/queue/redis-outage';

export const BREACH_DEADLINES_QUEUE = 'breach-deadlines';
export const JOB_BREACH_DUE = 'breach-due';

export interface BreachDueJob {
  incidentId: string;
  kind: 'preliminary' | 'final';
}

/** One job per incident and report kind: scheduling twice replaces the job. */
export function breachJobId(incidentId: string, kind: BreachDueJob['kind']): string {
  return `${incidentId}.${kind}`;
}

/**
 * The breach-deadline alarms' Bull queue (like the disposal alarms): a delayed job per incident and
 * report kind at the moment its alarm opens. A job only asks the register to check the incident
 * (idempotent, reads the database and the clock), so a late, early or repeated job is harmless, and
 * while Redis is away the register's own sweep raises the alarms.
 */
@Injectable()
export class BreachQueueService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BreachQueueService.name);
  private handler: (job: BreachDueJob) => Promise<unknown> = async () => undefined;
  private outages: { stop(): void } | null = null;

  constructor(
    @InjectQueue(BREACH_DEADLINES_QUEUE) private readonly queue: Queue,
    private readonly clock: ClockService,
  ) {}

  /** The register supplies what a job does (kept out of the constructor: no cycle). */
  onDue(handler: (job: BreachDueJob) => Promise<unknown>): void {
    this.handler = handler;
  }

  onApplicationBootstrap(): void {
    this.outages = reportRedisOutages(this.queue, this.logger, 'the breach-deadline queue'); // only a lasting outage (issue #22)
    this.queue
      .process(JOB_BREACH_DUE, 1, (job: Job<BreachDueJob>) => this.handler(job.data))
      .catch((error: Error) => this.logger.error(`Queue worker (${JOB_BREACH_DUE}) stopped: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    this.outages?.stop();
    await closeQueue(this.queue, QUEUE_COMMAND_TIMEOUT_MS, this.logger);
  }

  /** (Re)schedules the alarm job at `runAt` (ClockService time), or removes it when null. False (logged) while Redis is away. */
  async schedule(job: BreachDueJob, runAt: Date | null): Promise<boolean> {
    const jobId = breachJobId(job.incidentId, job.kind);
    try {
      await withTimeout(
        (async () => {
          const existing = await this.queue.getJob(jobId);
          if (existing) await existing.remove();
          if (runAt) await this.queue.add(JOB_BREACH_DUE, job, { jobId, delay: Math.max(0, runAt.getTime() - this.clock.now().getTime()) });
        })(),
        QUEUE_COMMAND_TIMEOUT_MS,
        'schedule',
      );
      return true;
    } catch (error) {
      this.logger.warn(`Could not schedule a breach-deadline job (the register's sweep will raise it): ${(error as Error).message}`);
      return false;
    }
  }

  /** The pending job, if any (operations and tests). */
  async scheduled(incidentId: string, kind: BreachDueJob['kind']): Promise<{ delay: number; state: string } | null> {
    const job = await withTimeout(this.queue.getJob(breachJobId(incidentId, kind)), QUEUE_COMMAND_TIMEOUT_MS, 'getJob');
    if (!job) return null;
    return { delay: job.opts.delay ?? 0, state: await job.getState() };
  }
}
