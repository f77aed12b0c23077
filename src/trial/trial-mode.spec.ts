import { createServer, Server } from 'node:net';
import { hostAndPort, tcpAnswers } from './probe';
import { chooseDatabase } from './trial-mode';
import { runtimeDatabase } from './runtime-mode.service';

/** The decisions that need no embedded server (trial mode itself: test/trial.e2e-spec.ts). */
describe('chooseDatabase', () => {
  let server: Server;
  let openPort: number;
  let closedPort: number;

  beforeAll(async () => {
    server = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    openPort = (server.address() as { port: number }).port;
    const other = createServer();
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    closedPort = (other.address() as { port: number }).port;
    await new Promise<void>((r) => other.close(() => r()));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('keeps a configured DATABASE_URL without probing', async () => {
    const env = { DATABASE_URL: 'postgres://u@db.example:5432/v', DATABASE_PROBE_URL: `postgres://127.0.0.1:${closedPort}/x` };
    const choice = await chooseDatabase(env);
    expect(choice).toMatchObject({ mode: 'standard', reason: 'DATABASE_URL is set' });
    expect(choice.env.DATABASE_URL).toBe('postgres://u@db.example:5432/v');
    expect(runtimeDatabase().mode).toBe('standard');
  });

  it('uses the probed address when something answers there', async () => {
    const probe = `postgres://postgres@127.0.0.1:${openPort}/mynumber_vault`;
    const env: NodeJS.ProcessEnv = { DATABASE_PROBE_URL: probe };
    const choice = await chooseDatabase(env);
    expect(choice).toMatchObject({ mode: 'standard', reason: `PostgreSQL answers at 127.0.0.1:${openPort}` });
    expect(env.DATABASE_URL).toBe(probe);
    expect(choice.server).toBeUndefined();
  });

  it('never starts trial mode with TRIAL_MODE=never, nor by itself in production', async () => {
    const probe = `postgres://postgres@127.0.0.1:${closedPort}/mynumber_vault`;
    const never: NodeJS.ProcessEnv = { DATABASE_PROBE_URL: probe, TRIAL_MODE: 'never' };
    expect(await chooseDatabase(never)).toMatchObject({ mode: 'standard', reason: 'TRIAL_MODE=never' });
    expect(never.DATABASE_URL).toBe(probe);
    const production: NodeJS.ProcessEnv = { DATABASE_PROBE_URL: probe, NODE_ENV: 'production', KEYSTORE_PASSPHRASE: 'a long enough passphrase' };
    expect((await chooseDatabase(production)).mode).toBe('standard');
    expect(production.DATABASE_URL).toBe(probe);
  });

  it('names a bad setting', async () => {
    await expect(chooseDatabase({ TRIAL_MODE: 'sometimes' })).rejects.toThrow(/TRIAL_MODE/);
    await expect(chooseDatabase({ DATABASE_PROBE_URL: 'nope' })).rejects.toThrow(/DATABASE_PROBE_URL/);
  });
});

describe('probe', () => {
  it('reads host and port with defaults', () => {
    expect(hostAndPort('postgres://u:p@db.example:6543/x', 5432)).toEqual({ host: 'db.example', port: 6543 });
    expect(hostAndPort('redis://127.0.0.1', 6379)).toEqual({ host: '127.0.0.1', port: 6379 });
    expect(hostAndPort('postgres://[::1]:5433/x', 5432)).toEqual({ host: '::1', port: 5433 });
  });

  it('answers false quickly for a closed port', async () => {
    const started = Date.now();
    expect(await tcpAnswers('127.0.0.1', 1, 300)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
