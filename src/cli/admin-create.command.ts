import { HttpException } from '@nestjs/common';
import { Command, CommandRunner, Option } from 'nest-commander';
import { UsersService } from '@/users/users.service';

/**
 * Bootstrap: creates an admin and prints the one-time password alone on the last line
 * (scripts take `| tail -n 1`). The password must be changed at the first login, which
 * then enrols the second factor.
 */
@Command({
  name: 'admin:create',
  arguments: '<username>',
  description: 'Create an admin account; prints its one-time password alone on the last line',
})
export class AdminCreateCommand extends CommandRunner {
  constructor(private readonly users: UsersService) {
    super();
  }

  async run(params: string[], options: { displayName?: string } = {}): Promise<void> {
    const username = params[0] ?? '';
    try {
      const created = await this.users.create({ username, displayName: options.displayName ?? username, roles: ['admin'] }, null, null, 'cli');
      process.stdout.write(
        `Created admin "${created.username}" (id ${created.id}).\n` +
          'One-time password (change it at the first login, then enrol an authenticator app):\n' +
          `${created.initialPassword}\n`,
      );
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      const body = error.getResponse() as { message?: string | string[] } | string;
      const message = typeof body === 'string' ? body : ([] as string[]).concat(body.message ?? error.message).join('; ');
      process.stderr.write(`admin:create: ${message}\n`);
      process.exitCode = 1;
    }
  }

  @Option({ flags: '--display-name <name>', description: 'Name shown in the inventory (default: the username)' })
  parseDisplayName(value: string): string {
    return value;
  }
}
