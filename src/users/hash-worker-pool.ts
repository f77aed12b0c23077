import { Worker } from 'node:worker_threads';

/** What a worker is asked to do: hash a password, or verify one against a PHC string. */
export type HashJob =
  { op: 'hash'; password: string; memoryCost: number; timeCost: number; parallelism: number } | { op: 'verify'; hash: string; password: string };

/**
 * The worker's code (plain CommonJS, run with `eval`, so the same text works compiled, under
 * ts-node and under jest). It lowers its own thread's scheduling priority (on Linux the nice
 * value is per thread, and os.setPriority(0, n) changes the calling thread only), then answers
 * jobs with @node-rs/argon2's synchronous functions, which run on this very thread.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const os = require('node:os');
try { os.setPriority(0, workerData.nice); } catch (e) { /* not allowed here: keep the priority */ }
const argon2 = require(workerData.binding);
parentPort.on('message', ({ id, job }) => {
  try {
    const result = job.op === 'hash'
      ? argon2.hashSync(job.password, { algorithm: 2, memoryCost: job.memoryCost, timeCost: job.timeCost, parallelism: job.parallelism })
      : argon2.verifySync(job.hash, job.password);
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Pending {
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
}

/**
 * A fixed number of worker threads that do nothing but argon2id. Hashing runs on threads of its
 * own, not on libuv's shared pool (4 threads by default, also used by fs and dns: four hashes
 * there would hold both cores of a small machine and make file reads wait), so the number of
 * hashes in flight is exactly the number of threads, and those threads run at a lower
 * priority (nice) than the threads serving requests. Callers must not hand it more jobs than
 * threads at once: HashAdmission in front of it sees to that.
 */
export class HashWorkerPool {
  private readonly idle: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly busy = new Map<Worker, number>();
  private nextId = 1;
  private closed = false;

  constructor(
    readonly size: number,
    private readonly nice: number,
  ) {
    for (let i = 0; i < size; i++) this.idle.push(this.spawn());
  }

  run(job: HashJob): Promise<string | boolean> {
    if (this.closed) return Promise.reject(new Error('the password hashing pool is closed'));
    const worker = this.idle.pop();
    if (!worker) return Promise.reject(new Error('no free password hashing thread (admission control must come first)'));
    const id = this.nextId++;
    this.busy.set(worker, id);
    worker.ref(); // a job in flight keeps the process alive (the CLI); an idle thread does not
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { nice: this.nice, binding: require.resolve('@node-rs/argon2') },
      // argon2id at 19 MiB needs its memory outside the JS heap; the heap itself stays small.
      resourceLimits: { maxOldGenerationSizeMb: 32 },
    });
    worker.unref();
    worker.on('message', ({ id, result, error }: { id: number; result?: string | boolean; error?: string }) => {
      const waiter = this.pending.get(id);
      this.pending.delete(id);
      this.busy.delete(worker);
      worker.unref();
      if (!this.closed) this.idle.push(worker);
      if (!waiter) return;
      if (error !== undefined) waiter.reject(new Error(error));
      else waiter.resolve(result!);
    });
    worker.on('error', (error) => this.replace(worker, error));
    worker.on('exit', (code) => {
      if (!this.closed) this.replace(worker, new Error(`password hashing thread exited with ${code}`));
    });
    return worker;
  }

  /** A thread that died fails its job and is replaced, so the pool keeps its size. */
  private replace(worker: Worker, error: Error): void {
    const id = this.busy.get(worker);
    this.busy.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    if (id !== undefined) {
      this.pending.get(id)?.reject(error);
      this.pending.delete(id);
    }
    if (!this.closed && this.idle.length + this.busy.size < this.size) {
      worker.removeAllListeners();
      void worker.terminate().catch(() => undefined);
      this.idle.push(this.spawn());
    }
  }
}
