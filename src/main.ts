import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createApp } from './app.factory';
import { KeyringService } from './crypto/keyring.service';
import { prepareDatabase } from './database/prepare-database';
import { chooseDatabase, DatabaseChoice } from './trial/trial-mode';
import { trialBanner } from './trial/banner';

async function bootstrap(): Promise<void> {
  const early = new Logger('Bootstrap');
  // First decide where the database is: a configured one, one at the default address, or trial
  // mode with an embedded PostgreSQL (src/trial/trial-mode.ts). choice.env is the validated
  // settings with DATABASE_URL filled in; the application is built from it (nothing else reads
  // the environment).
  let choice: DatabaseChoice | undefined;
  try {
    choice = await chooseDatabase(process.env, (level, message) => early[level](message));
    const ran = await prepareDatabase(choice.env);
    const app = await createApp(choice.env);
    const dataSource = app.get(DataSource);
    choice.server?.stopOnSignals(() => !dataSource.isInitialized);
    const port = choice.env.PORT;
    await app.listen(port, '0.0.0.0');
    const logger = new Logger('Bootstrap');
    if (ran.length) logger.log(`Applied migrations: ${ran.join(', ')}`);
    logger.log(`Keys: ${app.get(KeyringService).location}`);
    if (choice.mode === 'trial' && choice.server) {
      const keys = app.get(KeyringService).location;
      logger.warn(`TRIAL MODE: embedded PostgreSQL ${choice.server.serverVersion}, data in ${choice.server.clusterDir}, keys in ${keys}`);
      // Plain text for the person at the terminal (the log lines above are JSON).
      process.stderr.write((await trialBanner(choice.env, choice.server, keys)).join('\n') + '\n');
    }
    logger.log(`mynumber-vault listening on port ${port}${choice.mode === 'trial' ? ' (TRIAL MODE)' : ''}`);
  } catch (error) {
    await choice?.server?.stop().catch(() => undefined);
    throw error;
  }
}

bootstrap().catch((error: Error) => {
  // Configuration errors name the setting; print them plainly and stop.
  process.stderr.write(`mynumber-vault failed to start: ${error.message}\n`);
  process.exit(1);
});
