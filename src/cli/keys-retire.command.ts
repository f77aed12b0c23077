import { HttpException } from '@nestjs/common';
import { Command, CommandRunner } from 'nest-commander';
import { KeyRetirementService } from '@/keys/key-retirement.service';

/**
 * Retires an old key-encryption key version once keys:rotate has re-wrapped every data key: it is
 * destroyed in the keystore after KEY_RETIREMENT_DELAY_DAYS (immediately with 0). Without an
 * argument, lists the versions.
 */
@Command({
  name: 'keys:retire',
  arguments: '[version]',
  description: 'Retire an old KEK version (destroyed after KEY_RETIREMENT_DELAY_DAYS); without a version, list them',
})
export class KeysRetireCommand extends CommandRunner {
  constructor(private readonly retirement: KeyRetirementService) {
    super();
  }

  async run(params: string[]): Promise<void> {
    if (params[0] === undefined) {
      await this.retirement.destroyDue();
      process.stdout.write(JSON.stringify(await this.retirement.list(), null, 2) + '\n');
      return;
    }
    const version = Number(params[0]);
    if (!Number.isInteger(version) || version < 1) throw new Error('the version must be a positive integer (see keys:retire without arguments)');
    try {
      const view = await this.retirement.retire(version, null, null);
      process.stdout.write(
        view.destroyedAt
          ? `Key version ${version} retired and destroyed in the keystore: backups that need it can no longer be read.\n`
          : `Key version ${version} retired; it is destroyed in the keystore after ${view.destroyAfter} (KEY_RETIREMENT_DELAY_DAYS).\n`,
      );
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      const body = error.getResponse() as { message?: string };
      process.stderr.write(`keys:retire: ${body.message ?? error.message}\n`);
      process.exitCode = 1;
    }
  }
}
