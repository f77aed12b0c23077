import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { validateEnv } from './config/env.schema';
import { prepareDatabase } from './database/prepare-database';
import { CliModule, commandDescription, commandName, DATABASE_COMMANDS, OFFLINE_COMMANDS, OfflineCliModule } from './cli/cli.module';

/**
 * npm run cli -- <command> [arguments]   (see src/cli/cli.module.ts for the list)
 * Commands that use the database run after prepareDatabase() (creates it, applies migrations).
 */
async function main(argv: string[]): Promise<void> {
  const name = argv[2];
  const offline = OFFLINE_COMMANDS.map(commandName);
  const online = DATABASE_COMMANDS.map(commandName);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(
      'usage: npm run cli -- <command> [arguments] [--help]\n\ncommands:\n' +
        [...DATABASE_COMMANDS, ...OFFLINE_COMMANDS].map((c) => `  ${commandDescription(c)}\n`).join(''),
    );
    process.exitCode = name ? 0 : 1;
    return;
  }
  if (!offline.includes(name) && !online.includes(name)) {
    process.stderr.write(`unknown command "${name}"; run with --help for the list\n`);
    process.exitCode = 1;
    return;
  }
  const options = {
    logger: ['error', 'warn'] as ('error' | 'warn')[],
    serviceErrorHandler: (error: Error) => {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exitCode = 1;
    },
  };
  if (offline.includes(name)) {
    await CommandFactory.run(OfflineCliModule, options);
    return;
  }
  await prepareDatabase(validateEnv(process.env));
  await CommandFactory.run(CliModule, options);
}

main(process.argv).catch((error: Error) => {
  process.stderr.write(`mynumber-vault cli: ${error.message}\n`);
  process.exitCode = 1;
});
