import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule, commandDescription, commandName, DATABASE_COMMANDS, OFFLINE_COMMANDS, OfflineCliModule } from './cli/cli.module';
import { Env, validateEnv } from './config/env.schema';
import { prepareDatabase } from './database/prepare-database';
import { chooseDatabase } from './trial/trial-mode';

/**
 * npm run cli -- <command> [arguments]   (see src/cli/cli.module.ts for the list)
 * Commands that use the database run after prepareDatabase() (creates it, applies migrations).
 */
async function main(argv: string[]): Promise<void> {
  const name = argv[2];
  // Offline commands and --help need no database; others first find it (trial mode included).
  // choice.env is the validated settings with DATABASE_URL filled in; the modules are built from it.
  const needsDatabase = (n: string | undefined) => !!n && !['--help', '-h', 'help', 'audit:verify', 'audit:proof', 'keys:init'].includes(n);
  const choice = needsDatabase(name) ? await chooseDatabase(process.env) : undefined;
  try {
    await runCommand(name, () => choice?.env ?? validateEnv(process.env));
  } finally {
    await choice?.server?.stop();
  }
}

async function runCommand(name: string | undefined, settings: () => Env): Promise<void> {
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
    await CommandFactory.run(OfflineCliModule.forRoot(settings()), options);
    return;
  }
  const env = settings();
  await prepareDatabase(env);
  await CommandFactory.run(CliModule.forRoot(env), options);
}

main(process.argv).catch((error: Error) => {
  process.stderr.write(`mynumber-vault cli: ${error.message}\n`);
  process.exitCode = 1;
});
