import { Env, validateEnv } from '@/config/env.schema';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { hostAndPort, tcpAnswers } from './probe';
import { RuntimeDatabase, setRuntimeDatabase } from './runtime-mode.service';

/** The database name in trial mode (the same as the default DATABASE_URL's). */
export const TRIAL_DATABASE = 'mynumber_vault';

export interface DatabaseChoice extends RuntimeDatabase {
  /** Trial mode: the embedded server (stop it on shutdown). */
  server?: EmbeddedPostgres;
  /** The settings, validated again with DATABASE_URL filled in. */
  env: Env;
}

export type ChoiceLog = (level: 'log' | 'warn' | 'error', message: string) => void;

/**
 * Decides where the database is, BEFORE anything reads DATABASE_URL (the config module copies
 * the environment when the application module is first imported):
 *
 * 1. DATABASE_URL is set: standard mode, that database.
 * 2. TRIAL_MODE=never, or TRIAL_MODE=auto with NODE_ENV=production: standard mode, DATABASE_PROBE_URL.
 * 3. TRIAL_MODE=auto and something accepts a TCP connection at DATABASE_PROBE_URL's host and port
 *    (127.0.0.1:5432 by default) within DATABASE_PROBE_TIMEOUT_MS: standard mode, DATABASE_PROBE_URL.
 * 4. Otherwise (or TRIAL_MODE=always): trial mode. An embedded PostgreSQL is started (or joined,
 *    when another process of this DATA_DIR runs it) with its cluster in $DATA_DIR/pg.
 *
 * Sets process.env.DATABASE_URL to the choice, so every later reader agrees.
 */
export async function chooseDatabase(environment: NodeJS.ProcessEnv = process.env, log: ChoiceLog = () => undefined): Promise<DatabaseChoice> {
  const env = validateEnv(environment);
  const decide = (choice: Omit<DatabaseChoice, 'env'>): DatabaseChoice => {
    const finalEnv = validateEnv(environment);
    setRuntimeDatabase({ mode: choice.mode, reason: choice.reason, embedded: choice.embedded });
    return { ...choice, env: finalEnv };
  };

  if (environment.DATABASE_URL) return decide({ mode: 'standard', reason: 'DATABASE_URL is set' });

  const probe = hostAndPort(env.DATABASE_PROBE_URL, 5432);
  const where = `${probe.host}:${probe.port}`;
  const useProbe = (reason: string) => {
    environment.DATABASE_URL = env.DATABASE_PROBE_URL;
    return decide({ mode: 'standard', reason });
  };
  if (env.TRIAL_MODE === 'never') return useProbe('TRIAL_MODE=never');
  if (env.TRIAL_MODE === 'auto' && env.NODE_ENV === 'production') return useProbe('NODE_ENV=production (trial mode is for trying the vault out)');
  if (env.TRIAL_MODE === 'auto' && (await tcpAnswers(probe.host, probe.port, env.DATABASE_PROBE_TIMEOUT_MS))) {
    return useProbe(`PostgreSQL answers at ${where}`);
  }

  const reason = env.TRIAL_MODE === 'always' ? 'TRIAL_MODE=always' : `DATABASE_URL is not set and nothing answers at ${where}`;
  log('log', `Trial mode: ${reason}; using an embedded PostgreSQL in ${env.DATA_DIR}`);
  const server = await startEmbeddedPostgres({ dataDir: env.DATA_DIR, database: TRIAL_DATABASE, log, avoidPorts: [env.PORT] });
  environment.DATABASE_URL = server.url;
  return decide({
    mode: 'trial',
    reason,
    server,
    embedded: { clusterDir: server.clusterDir, logFile: server.logFile, serverVersion: server.serverVersion, port: server.port },
  });
}
