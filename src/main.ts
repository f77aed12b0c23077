import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { validateEnv, Env } from './config/env.schema';
import { prepareDatabase } from './database/prepare-database';
import { createApp } from './app.factory';
import { KeyringService } from './crypto/keyring.service';

async function bootstrap(): Promise<void> {
  const env = validateEnv(process.env);
  const ran = await prepareDatabase(env);
  const app = await createApp();
  const config = app.get(ConfigService<Env, true>);
  await app.listen(config.get('PORT', { infer: true }), '0.0.0.0');
  const logger = new Logger('Bootstrap');
  if (ran.length) logger.log(`Applied migrations: ${ran.join(', ')}`);
  logger.log(`Keys: ${app.get(KeyringService).location}`);
  logger.log(`mynumber-vault listening on port ${config.get('PORT', { infer: true })}`);
}

bootstrap().catch((error: Error) => {
  // Configuration errors name the setting; print them plainly and stop.
  process.stderr.write(`mynumber-vault failed to start: ${error.message}\n`);
  process.exit(1);
});
