import type { JobOptions, QueueOptions } from 'bull';

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
 * Redis options for the queue's connections. The command connection ("client") has no offline
 * queue and one retry per request, so add/remove fail at once while Redis is down instead of
 * piling up or hanging a request. Bull gives its blocking and subscriber connections
 * maxRetriesPerRequest: null itself (they wait for Redis); every connection reconnects forever,
 * backing off to 5 s.
 */
export function queueOptions(redisUrl: string, redisPrefix: string): QueueOptions & { url: string } {
  return {
    url: redisUrl,
    prefix: `${redisPrefix}:bull`,
    redis: {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (times: number) => Math.min(times * 500, 5000),
    },
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
    settings: { retryProcessDelay: 5000 },
  };
}
