import type { Logger } from '@nestjs/common';
import type { Queue } from 'bull';

/** `work`, or an error naming `what` when Redis does not answer within `ms` (a queue call never hangs its caller). */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Closes a Bull queue at shutdown, waiting at most `ms` (a failure is logged, not thrown), then
 * disconnects its Redis connections. Bull's connection getters create a connection on first use:
 * only the ones that exist are touched. Shared by the disposal-alarm and breach-deadline queues.
 */
export async function closeQueue(queue: Queue, ms: number, logger: Pick<Logger, 'warn'>): Promise<void> {
  await withTimeout(queue.close(false), ms, 'close').catch((error: Error) => logger.warn(error.message));
  const q = queue as unknown as Record<string, { disconnect(): void } | boolean | undefined>;
  for (const [flag, getter] of [
    ['clientInitialized', 'client'],
    ['subscriberInitialized', 'eclient'],
    ['bclientInitialized', 'bclient'],
  ]) {
    if (q[flag!]) (q[getter!] as { disconnect(): void }).disconnect();
  }
}
