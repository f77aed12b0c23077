import type { Logger } from '@nestjs/common';
import type { Queue } from 'bull';

/** How long the queue's Redis connection may stay not ready after an error before it is called unavailable. */
export const REDIS_OUTAGE_GRACE_MS = 5000;

/**
 * Says "Redis unavailable for <what>" only when Redis really is: an error on one of the queue's
 * connections starts a check, and the warning is logged only if the command connection is still
 * not ready `graceMs` later; then once per outage (again after it has been ready in between).
 *
 * Why (issue #22): with Redis up, the start-up log said "Redis unavailable" once. ioredis' connect
 * timer (connectTimeout, 2 s) runs on wall time, and Nest's start-up is synchronous work (module
 * instantiation, ts-node compiling, the keystore's key derivation) that can hold the event loop
 * for longer on a loaded machine; the timer then fires before the finished TCP connect is seen
 * ("connect ETIMEDOUT"), ioredis reconnects at once and is ready a moment later. Bull re-emits
 * every connection error as a queue error. A blip that heals within the grace is logged at debug.
 */
export function reportRedisOutages(queue: Queue, logger: Logger, what: string, graceMs = REDIS_OUTAGE_GRACE_MS): { stop(): void } {
  let check: NodeJS.Timeout | null = null;
  let lastError = '';
  let warned = false;
  const client = queue.client;
  const onReady = () => {
    warned = false;
  };
  client.on('ready', onReady);
  const onError = (error: Error) => {
    lastError = error?.message ?? String(error);
    if (check) return;
    check = setTimeout(() => {
      check = null;
      if (client.status === 'ready') {
        logger.debug(`Transient Redis error for ${what}, ready again within ${graceMs} ms: ${lastError}`);
      } else if (!warned) {
        warned = true;
        logger.warn(`Redis unavailable for ${what}: ${lastError}`);
      }
    }, graceMs);
    check.unref();
  };
  queue.on('error', onError);
  return {
    stop() {
      if (check) clearTimeout(check);
      check = null;
      queue.removeListener('error', onError);
      client.removeListener('ready', onReady);
    },
  };
}
