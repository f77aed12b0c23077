/**
 * The lock period for the next lock: the n-th lock (counting from 0 since the last successful
 * login) uses periods[n], and the last period repeats.
 */
export function lockPeriodMinutes(periods: readonly number[], previousLocks: number): number {
  if (periods.length === 0) return 1;
  return periods[Math.min(Math.max(previousLocks, 0), periods.length - 1)] ?? 1;
}
