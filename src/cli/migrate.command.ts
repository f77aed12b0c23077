import { ConfigService } from '@nestjs/config';
import { Command, CommandRunner } from 'nest-commander';
import { Env } from '@/config/env.schema';
import { prepareDatabase } from '@/database/prepare-database';

/**
 * Creates the database and the application's login role if needed and applies pending migrations
 * (npm run migration:run), as the owner: DATABASE_MIGRATION_URL, or DATABASE_URL when that is not
 * set (run by hand with the owner's URL). See docs/security.md "Database roles".
 */
@Command({
  name: 'migrate',
  description: 'As the schema owner (DATABASE_MIGRATION_URL, else DATABASE_URL): create the database and the app role, apply pending migrations',
})
export class MigrateCommand extends CommandRunner {
  constructor(private readonly config: ConfigService<Env, true>) {
    super();
  }

  async run(): Promise<void> {
    const ran = await prepareDatabase(
      {
        DATABASE_URL: this.config.get('DATABASE_URL', { infer: true }),
        DATABASE_APP_ROLE: this.config.get('DATABASE_APP_ROLE', { infer: true }),
        DATABASE_MIGRATION_URL: this.config.get('DATABASE_MIGRATION_URL', { infer: true }),
        NODE_ENV: this.config.get('NODE_ENV', { infer: true }),
        DATABASE_POOL_SIZE: 1,
      },
      { migrateOnly: true },
    );
    process.stdout.write(ran.length ? `Applied migrations:\n${ran.map((m) => `  ${m}\n`).join('')}` : 'No pending migrations.\n');
  }
}
