/** Small helpers for the benchmark: percentiles and a plain-pg load loop. */
import { readdirSync, readFileSync } from 'node:fs';
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface LoadResult {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs `task` from `concurrency` loops for `seconds`, timing each call in milliseconds. */
export async function closedLoop(concurrency: number, seconds: number, task: (i: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          await task(n++);
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** CPU time (ms) used so far by the service process, this process and all PostgreSQL processes (Linux /proc). */
export interface CpuSnapshot {
  service: number;
  serviceSystem: number;
  bench: number;
  postgres: number;
  /** CPU ms of each PostgreSQL process, by pid. */
  postgresByPid: Map<string, number>;
  machineBusy: number;
  machineTotal: number;
}

function processCpuMs(pid: number | string, which: 'all' | 'system' = 'all'): number {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th (clock ticks, 100 Hz).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (which === 'system' ? Number(fields[12]) : Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

export function cpuSnapshot(servicePid: number | undefined): CpuSnapshot {
  const postgresByPid = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('postgres')) postgresByPid.set(entry, processCpuMs(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  const postgres = [...postgresByPid.values()].reduce((a, b) => a + b, 0);
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3]! + cpu[4]!;
  const total = cpu.reduce((a, b) => a + b, 0);
  return {
    postgresByPid,
    service: servicePid ? processCpuMs(servicePid) : 0,
    serviceSystem: servicePid ? processCpuMs(servicePid, 'system') : 0,
    bench: processCpuMs(process.pid),
    postgres,
    machineBusy: (total - idle) * 10,
    machineTotal: total * 10,
  };
}

/**
 * PostgreSQL CPU between two snapshots, per backend: a backend that exited meanwhile (a pool
 * closing an idle connection) takes its whole CPU history with it, which a plain difference of
 * sums would subtract from the window. It counts as zero instead; new backends count in full.
 */
function postgresDelta(before: CpuSnapshot, after: CpuSnapshot): number {
  let total = 0;
  for (const [pid, ms] of after.postgresByPid) total += ms - (before.postgresByPid.get(pid) ?? 0);
  return total;
}

/** CPU ms per request between two snapshots, and how busy the machine was. */
export function cpuPerRequest(spans: [before: CpuSnapshot, after: CpuSnapshot, requests: number][]): string {
  const requests = spans.reduce((n, [, , r]) => n + r, 0);
  const sum = (k: Exclude<keyof CpuSnapshot, 'postgresByPid'>) =>
    k === 'postgres' ? spans.reduce((n, [b, a]) => n + postgresDelta(b, a), 0) : spans.reduce((n, [b, a]) => n + (a[k] - b[k]), 0);
  const per = (k: Exclude<keyof CpuSnapshot, 'postgresByPid'>) => (sum(k) / requests).toFixed(2);
  const busy = (sum('machineBusy') / sum('machineTotal')) * 100;
  return `service ${per('service')} (kernel ${per('serviceSystem')}) · load generator ${per('bench')} · postgres ${per('postgres')} ms/req; machine ${busy.toFixed(0)}% busy`;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
