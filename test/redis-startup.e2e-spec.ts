/**
 * The start-up log with Redis up says nothing about Redis being unavailable (issue #22: one false
 * "Redis unavailable" line on start-up). Cause: ioredis' connect timer (2 s) runs on wall time, and
 * Nest's start-up is synchronous work that holds the event loop for longer on a loaded machine
 * (module instantiation, ts-node compiling, the keystore's key derivation); the timer then fired
 * before the finished TCP connect was seen ("connect ETIMEDOUT"), the connection was ready a moment
 * later, and Bull re-emitted the error as a queue error, which was logged as an outage.
 *
 * Here the machine's load is reproduced where it matters: right after each queue command
 * connection starts connecting to the real Redis, the event loop is held for BUSY_MS (a spy that
 * calls the real connect first). The log is read through Nest's Logger (every service logs through
 * it; nestjs-pino writes it).
 */
import { INestApplication, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { AddressInfo, createServer } from 'node:net';
import request from 'supertest';
import { DisposalQueueService } from '../src/retention/queue/disposal-queue.service';
import { REDIS_OUTAGE_GRACE_MS } from '../src/retention/queue/redis-outage';
import { createTestApp } from './support/app';

const BUSY_MS = 2500; // longer than the queue connections' connectTimeout (2000 ms)
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const FALSE_OUTAGE = /redis unavailable|while redis is unavailable|stream isn't writeable|queue off|ETIMEDOUT/i;

describe('start-up log with Redis up (issue #22)', () => {
  let app: INestApplication | undefined;
  const lines: string[] = [];
  const spies: jest.SpyInstance[] = [];
  let busyConnects = 0;
  let busyUntil = 0;
  let busy = true;

  beforeAll(async () => {
    for (const level of ['log', 'warn', 'error'] as const) {
      const original = Logger.prototype[level];
      spies.push(
        jest.spyOn(Logger.prototype, level).mockImplementation(function (this: Logger, message: unknown, ...rest: unknown[]) {
          lines.push(`${level} ${String(message)}`);
          return original.call(this, message, ...(rest as []));
        }),
      );
    }
    const connect = Redis.prototype.connect;
    spies.push(
      jest.spyOn(Redis.prototype, 'connect').mockImplementation(function (this: Redis, ...args: []) {
        const started = connect.apply(this, args);

        // a queue's connection (Bull's command, subscriber or blocking one): hold the loop while it
        // connects, once for the connections opened together
        const queueConnection = this.options.maxRetriesPerRequest === null || this.options.maxRetriesPerRequest === 1;
        if (busy && queueConnection && Date.now() > busyUntil) {
          busyConnects++;
          busyUntil = Date.now() + BUSY_MS;
          // after ioredis created the socket and armed its connect timer (a tick and a microtask
          // later), before the event loop can see the finished connect
          process.nextTick(() =>
            queueMicrotask(() => {
              const until = Date.now() + BUSY_MS;
              while (Date.now() < until) {
                /* a busy machine */
              }
            }),
          );
        }
        return started;
      }),
    );
    app = await createTestApp({ SWEEP_ON_START: false });
  });

  afterAll(async () => {
    await app?.close();
    for (const spy of spies) spy.mockRestore();
  });

  it('has no "Redis unavailable" line when the connection was only slow, and the queue comes up', async () => {
    expect(busyConnects).toBeGreaterThanOrEqual(1);
    const queue = app!.get(DisposalQueueService);
    const deadline = Date.now() + 15_000;
    while (!queue.isAvailable() && Date.now() < deadline) await sleep(50);
    expect(queue.isAvailable()).toBe(true);
    // whatever the start-up errors were, their outage check has run by now
    await sleep(REDIS_OUTAGE_GRACE_MS + 1000);
    const health = await request(app!.getHttpServer()).get('/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', queue: 'on', details: { redis: { status: 'up' } } });
    expect(lines.some((l) => /Nest application successfully started/.test(l))).toBe(true); // the log was read
    expect(lines.filter((l) => FALSE_OUTAGE.test(l))).toEqual([]);
  });

  it('a real outage (nothing at the Redis address) is still said, once per queue', async () => {
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    busy = false;
    const from = lines.length;
    const down = await createTestApp({ SWEEP_ON_START: false, REDIS_URL: `redis://127.0.0.1:${closed}` });
    try {
      const said = () => lines.slice(from).filter((l) => /Redis unavailable/.test(l));
      // Bull's connections retry every 0.5–5 s; each queue's first error after start-up, then the grace
      const deadline = Date.now() + 30_000;
      while (said().length < 2 && Date.now() < deadline) await sleep(250);
      await sleep(REDIS_OUTAGE_GRACE_MS + 1000); // and nothing more for the same outage

      expect(said().filter((l) => /disposal-alarm queue/.test(l))).toHaveLength(1);
      expect(said().filter((l) => /breach-deadline queue/.test(l))).toHaveLength(1);
      expect(said().every((l) => l.startsWith('warn ') && /ECONNREFUSED/.test(l))).toBe(true);
    } finally {
      await down.close();
    }
  });
});
