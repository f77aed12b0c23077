import { ConfigService } from '@nestjs/config';
import { Command, CommandRunner } from 'nest-commander';
import { Env } from '@/config/env.schema';
import { prepareDatabase } from '@/database/prepare-database';

/** Creates the database if needed and applies pending migrations (npm run migration:run). */
@Command({ name: 'migrate', description: 'Create the database if needed and apply pending migrations' })
export class MigrateCommand extends CommandRunner {
  constructor(private readonly config: ConfigService<Env, true>) {
    super();
  }

  async run(): Promise<void> {
    const ran = await prepareDatabase({
      DATABASE_URL: this.config.get('DATABASE_URL', { infer: true }),
      DATABASE_APP_ROLE: this.config.get('DATABASE_APP_ROLE', { infer: true }),
      DATABASE_POOL_SIZE: 1,
    });
    process.stdout.write(ran.length ? `Applied migrations:\n${ran.map((m) => `  ${m}\n`).join('')}` : 'No pending migrations.\n');
  }
}
