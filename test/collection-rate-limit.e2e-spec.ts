/**
 * Collection rate limits are shared by all instances (issue #15): two apps on the same database
 * and Redis (as two instances behind a load balancer) count one link's and one address's requests
 * together, so alternating between them gains an attacker nothing. With Redis unreachable an
 * instance still limits, on its own counters.
 */
import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AddressInfo, createServer } from 'node:net';
import request from 'supertest';
import { createTestApp, SettingsOverrides } from './support/app';
import { createLink } from './support/collection';
import { signIn, SignedIn } from './support/staff';
import { createSubject } from './support/subjects';

const PER_LINK = 5;
const PER_ADDRESS = 12;
const SETTINGS: SettingsOverrides = { COLLECTION_RATE_LIMIT_PER_LINK: PER_LINK, COLLECTION_RATE_LIMIT_PER_ADDRESS: PER_ADDRESS };

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('collection rate limits across instances (issue #15)', () => {
  let one: INestApplication;
  let two: INestApplication;
  let clerk: SignedIn;
  const open = (app: INestApplication, token: string) => request(app.getHttpServer()).post('/collect/link').set('X-Collection-Token', token);

  beforeAll(async () => {
    one = await createTestApp(SETTINGS);
    two = await createTestApp(SETTINGS);
    clerk = await signIn(one, ['clerk']);
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  async function freshLink(): Promise<string> {
    const person = await createSubject(one, clerk.token, { number: null, purposes: [] });
    return (await createLink(one, clerk.token, person.id)).token;
  }

  it('one link: PER_LINK requests in all, however they are spread over the instances', async () => {
    const token = await freshLink();
    const statuses: number[] = [];
    for (let i = 0; i < PER_LINK; i++) statuses.push((await open(i % 2 ? two : one, token)).status);
    expect(statuses).toEqual(Array(PER_LINK).fill(200));
    // the next one is refused on both instances (per instance, each would still allow PER_LINK)
    for (const app of [one, two]) {
      const res = await open(app, token).expect(429);
      expect(res.body.code).toBe('collection.rate-limited-link');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('one address: PER_ADDRESS requests in all across links and instances', async () => {
    // unknown (well-formed) tokens count against the address too; the link test above used PER_LINK + 2
    const statuses: number[] = [];
    for (let i = 0; statuses.length < PER_ADDRESS * 2 && !statuses.includes(429); i++) {
      statuses.push((await open(i % 2 ? two : one, randomBytes(32).toString('base64url'))).status);
    }
    const refusedAt = statuses.indexOf(429);
    expect(refusedAt).toBe(PER_ADDRESS - (PER_LINK + 2)); // counted together with the first test's requests
    expect(statuses.slice(0, refusedAt).every((s) => s === 404)).toBe(true);
    const res = await open(two, randomBytes(32).toString('base64url')).expect(429);
    expect(res.body.code).toBe('collection.rate-limited-address');
  });

  it('without Redis an instance still limits, on its own counters', async () => {
    const alone = await createTestApp(SETTINGS, { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    try {
      const token = await freshLink();
      const statuses: number[] = [];
      for (let i = 0; i <= PER_LINK; i++) statuses.push((await open(alone, token)).status);
      expect(statuses).toEqual([...Array(PER_LINK).fill(200), 429]);
    } finally {
      await alone.close();
    }
  });
});
