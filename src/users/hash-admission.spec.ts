import { HashAdmission, HashingBusyError } from './hash-admission';

/** A job that finishes when the test says so. */
function gate(): { promise: Promise<string>; open: (v?: string) => void } {
  let open!: (v?: string) => void;
  const promise = new Promise<string>((resolve) => (open = (v = 'done') => resolve(v)));
  return { promise, open };
}

describe('HashAdmission', () => {
  it('runs at most `concurrency` jobs at once and starts the waiting ones in order', async () => {
    const admission = new HashAdmission({ concurrency: 2, maxQueue: 10, maxWaitMs: 60_000 });
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const results = gates.map((g, i) =>
      admission.run(() => {
        started.push(i);
        return g.promise;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(admission.stats()).toMatchObject({ running: 2, waiting: 2 });
    gates[1]!.open();
    await results[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    await Promise.all(results);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(admission.stats()).toMatchObject({ running: 0, waiting: 0, refused: 0 });
  });

  it('refuses at once, with a retry time, when the queue is full', async () => {
    const admission = new HashAdmission({ concurrency: 1, maxQueue: 1, maxWaitMs: 60_000 });
    const g = gate();
    const first = admission.run(() => g.promise);
    const second = admission.run(() => Promise.resolve('second'));
    let ran = false;
    const third = admission.run(async () => {
      ran = true;
      return 'third';
    });
    await expect(third).rejects.toBeInstanceOf(HashingBusyError);
    await expect(third).rejects.toMatchObject({ reason: 'queue-full', retryAfterSeconds: expect.any(Number) });
    expect(ran).toBe(false);
    g.open();
    await expect(first).resolves.toBe('done');
    await expect(second).resolves.toBe('second');
  });

  it('refuses a caller whose expected wait is longer than maxWaitMs, before any work', async () => {
    const admission = new HashAdmission({ concurrency: 1, maxQueue: 100, maxWaitMs: 250 });
    // teach it that a job takes about 100 ms
    for (let i = 0; i < 20; i++) await admission.run(() => new Promise((r) => setTimeout(r, 100)));
    const g = gate();
    const running = admission.run(() => g.promise);
    const queued = [admission.run(() => Promise.resolve('a')), admission.run(() => Promise.resolve('b'))];
    // two ahead and one running: about 300 ms > 250 ms
    await expect(admission.run(() => Promise.resolve('c'))).rejects.toMatchObject({ reason: 'wait-too-long', retryAfterSeconds: 1 });
    g.open();
    await running;
    await expect(Promise.all(queued)).resolves.toEqual(['a', 'b']);
  });

  it('refuses a queued caller that has not started within maxWaitMs, and the slot still passes on', async () => {
    const admission = new HashAdmission({ concurrency: 1, maxQueue: 10, maxWaitMs: 150 }); // first estimate: 100 ms
    const g = gate();
    const running = admission.run(() => g.promise);
    const waiting = admission.run(() => Promise.resolve('late'));
    await expect(waiting).rejects.toMatchObject({ reason: 'waited-too-long' });
    expect(admission.stats()).toMatchObject({ running: 1, waiting: 0, refused: 1 });
    g.open();
    await running;
    await expect(admission.run(() => Promise.resolve('next'))).resolves.toBe('next');
    expect(admission.stats()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('frees the slot when a job fails', async () => {
    const admission = new HashAdmission({ concurrency: 1, maxQueue: 10, maxWaitMs: 1000 });
    await expect(admission.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(admission.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
  });
});
