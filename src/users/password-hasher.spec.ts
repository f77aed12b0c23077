import { ConfigService } from '@nestjs/config';
import { validateEnv } from '@/config/env.schema';
import { argon2Parameters, defaultHashConcurrency, HASHING_BUSY_CODE, HashingBusyException, PasswordHasher } from './password-hasher.service';

function hasher(env: Record<string, string> = {}): PasswordHasher {
  return new PasswordHasher(new ConfigService(validateEnv(env)) as never);
}

describe('PasswordHasher (real argon2id on worker threads)', () => {
  const made: PasswordHasher[] = [];
  afterAll(() => Promise.all(made.map((h) => h.onModuleDestroy())));
  const make = (env?: Record<string, string>) => {
    const h = hasher(env);
    made.push(h);
    return h;
  };

  it('hashes with argon2id at OWASP parameters and verifies', async () => {
    const h = make();
    const hash = await h.hash('correct horse battery staple');
    expect(argon2Parameters(hash)).toEqual({ type: 'argon2id', version: 19, m: 19456, t: 2, p: 1 });
    await expect(h.verify(hash, 'correct horse battery staple')).resolves.toBe(true);
    await expect(h.verify(hash, 'wrong')).resolves.toBe(false);
    await expect(h.verify('not a hash', 'x')).resolves.toBe(false);
    await expect(h.verify('$argon2id$v=19$m=19456,t=2,p=1$broken', 'x')).resolves.toBe(false);
    expect(h.needsRehash(hash)).toBe(false);
    await expect(h.verifyDummy('anything')).resolves.toBe(false);
  });

  it('asks for a rehash of weaker hashes, and refuses settings below the OWASP minimum', () => {
    const h = make({ ARGON2_MEMORY_KIB: '47104' });
    expect(h.needsRehash('$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g')).toBe(true);
    expect(h.needsRehash('$argon2i$v=19$m=47104,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g')).toBe(true);
    expect(h.needsRehash('$argon2id$v=19$m=47104,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g')).toBe(false);
    expect(() => validateEnv({ ARGON2_MEMORY_KIB: '8192' })).toThrow(/ARGON2_MEMORY_KIB/);
    expect(() => validateEnv({ ARGON2_TIME_COST: '1' })).toThrow(/ARGON2_TIME_COST/);
  });

  it('takes half the cores by default, at least one', () => {
    expect(defaultHashConcurrency(1)).toBe(1);
    expect(defaultHashConcurrency(2)).toBe(1);
    expect(defaultHashConcurrency(8)).toBe(4);
    expect(make().stats().concurrency).toBe(defaultHashConcurrency());
  });

  it('answers 503 auth.busy with Retry-After instead of queueing past its limits', async () => {
    const h = make({ PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '2' });
    const hash = await h.hash('pw');
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => h.verify(hash, 'pw')));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(3); // one running, two waiting
    expect(ok.every((r) => (r as PromiseFulfilledResult<boolean>).value)).toBe(true);
    expect(refused).toHaveLength(5);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(HashingBusyException);
      const e = r.reason as HashingBusyException;
      expect(e.getStatus()).toBe(503);
      expect(e.getResponse()).toMatchObject({ code: HASHING_BUSY_CODE });
      expect(Number(e.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    }
    expect(h.stats()).toMatchObject({ running: 0, waiting: 0, refused: 5 });
  });
});
