/**
 * Admission control for password hashing (issue #21): at most `concurrency` hashes run at once,
 * at most `maxQueue` wait, and a caller whose expected wait is longer than `maxWaitMs` is refused
 * at once (no CPU spent on it) instead of joining an unbounded queue. A caller already queued who
 * has not started within `maxWaitMs` (hashes became slower than expected) is refused too.
 *
 * Pure bookkeeping: the work itself is a function handed in (the worker pool), so the rules are
 * unit-tested without threads.
 */
export interface HashAdmissionLimits {
  concurrency: number;
  maxQueue: number;
  maxWaitMs: number;
}

/** Thrown instead of queueing; `retryAfterSeconds` is when trying again is likely to be admitted. */
export class HashingBusyError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly reason: 'queue-full' | 'wait-too-long' | 'waited-too-long',
  ) {
    super(`password hashing is busy (${reason}); retry after ${retryAfterSeconds} s`);
  }
}

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout;
}

/** Until the first hashes are timed: a conservative guess of one hash's wall time. */
const INITIAL_ESTIMATE_MS = 100;

export class HashAdmission {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  /** Moving average of one hash's wall time (ms), from the hashes that ran. */
  private averageMs = INITIAL_ESTIMATE_MS;
  private refused = 0;
  /** Hashes (and verifications) that ran to the end: an unknown username must cost one too. */
  private completed = 0;

  constructor(readonly limits: HashAdmissionLimits) {}

  /** Runs `work` when a slot is free, or throws HashingBusyError. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.concurrency) await this.queue();
    else this.running++;
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.averageMs = 0.8 * this.averageMs + 0.2 * (performance.now() - t0);
      this.completed++;
      this.release();
    }
  }

  /** Expected wait (ms) of a caller arriving now: the hashes ahead of it, spread over the slots. */
  expectedWaitMs(): number {
    if (this.running < this.limits.concurrency) return 0;
    return (Math.floor(this.waiting.length / this.limits.concurrency) + 1) * this.averageMs;
  }

  stats(): { running: number; waiting: number; averageMs: number; refused: number; completed: number } {
    return { running: this.running, waiting: this.waiting.length, averageMs: this.averageMs, refused: this.refused, completed: this.completed };
  }

  private queue(): Promise<void> {
    const expected = this.expectedWaitMs();
    if (this.waiting.length >= this.limits.maxQueue) throw this.busy(expected, 'queue-full');
    if (expected > this.limits.maxWaitMs) throw this.busy(expected, 'wait-too-long');
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(this.busy(this.expectedWaitMs(), 'waited-too-long'));
        }, this.limits.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  /** The slot goes straight to the next waiter (running stays the same), else it frees up. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next.start();
    else this.running--;
  }

  private busy(expectedMs: number, reason: HashingBusyError['reason']): HashingBusyError {
    this.refused++;
    // Long enough for the queue ahead to drain; at least a second, and a caller never waits a minute.
    const seconds = Math.min(60, Math.max(1, Math.ceil(Math.max(expectedMs, this.averageMs) / 1000)));
    return new HashingBusyError(seconds, reason);
  }
}
