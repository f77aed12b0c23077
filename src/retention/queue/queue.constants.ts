import type { BullModuleOptions } from '@nestjs/bull';
import type { JobOptions } from 'bull';
import Redis, { RedisOptions } from 'ioredis';

/** Names, job ids and retry options of the disposal-alarm queue, in one place. */
export const DISPOSAL_ALARMS_QUEUE = 'disposal-alarms';

/** A delayed job per person (job id = subject id, so scheduling twice is harmless). */
export const JOB_SUBJECT_DUE = 'subject-due';
/** The repeatable sweep that raises whatever the delayed jobs missed. */
export const JOB_SWEEP = 'sweep';
export const SWEEP_JOB_ID = 'retention-sweep';

/** How long a scheduling call may wait for Redis before it gives up (logged; the sweep catches up). */
export const QUEUE_COMMAND_TIMEOUT_MS = 1500;

export interface SubjectDueJob {
  subjectId: string;
}

export const DEFAULT_JOB_OPTIONS: JobOptions = {
  removeOnComplete: true, // a completed job must not keep its id: the next schedule for that person reuses it
  removeOnFail: 100,
  attempts: 3,
  backoff: { type: 'exponential', delay: 30_000 },
};

/**
 * Redis connections of the queue. The command connection ("client") has no offline queue and one
 * retry per request, so add/remove/getJob fail at once while Redis is down instead of piling up
 * or hanging a request (the caller logs it; the sweep covers). Bull's blocking and subscriber
 * connections must wait for Redis (maxRetriesPerRequest: null, offline queue on; Bull refuses
 * anything else for them). Every connection reconnects forever, backing off to 5 s.
 * Connections made through createClient are not closed by Bull: DisposalQueueService does it.
 */
export function queueOptions(redisUrl: string, redisPrefix: string): BullModuleOptions {
  const common: RedisOptions = { connectTimeout: 2000, retryStrategy: (times: number) => Math.min(times * 500, 5000) };
  return {
    prefix: `${redisPrefix}:bull`,
    createClient: (type) =>
      type === 'client'
        ? new Redis(redisUrl, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 })
        : new Redis(redisUrl, { ...common, maxRetriesPerRequest: null, enableReadyCheck: false }),
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
    settings: { retryProcessDelay: 5000 },
  };
}
