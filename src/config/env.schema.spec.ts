import { validateEnv } from './env.schema';

describe('validateEnv', () => {
  it('works with no settings on a developer machine', () => {
    const env = validateEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toContain('127.0.0.1');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('names the bad setting', () => {
    expect(() => validateEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => validateEnv({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
  });

  it('leaves the keystore passphrase to the keyring: custody mode (issue #18) needs none', () => {
    expect(validateEnv({ NODE_ENV: 'production' }).KEYSTORE_PASSPHRASE).toBeUndefined();
  });
});
