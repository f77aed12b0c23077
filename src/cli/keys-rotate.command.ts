import { Command, CommandRunner, Option } from 'nest-commander';
import { AuditService } from '@/audit/audit.service';
import { CollectionKeysService } from '@/collection/collection-keys.service';
import { KeyringService } from '@/crypto/keyring.service';
import { NumbersService } from '@/numbers/numbers.service';
import { StaffCredentialsService } from '@/users/staff-credentials.service';

/**
 * Adds a key-encryption key version to the keystore, then re-wraps every data key (numbers
 * and TOTP secrets) under it in short batches. Running services keep serving: they reload the
 * keystore when it changes and can read every version throughout.
 */
@Command({ name: 'keys:rotate', description: 'Add a new key-encryption key version and re-wrap every data key under it' })
export class KeysRotateCommand extends CommandRunner {
  constructor(
    private readonly keyring: KeyringService,
    private readonly numbers: NumbersService,
    private readonly credentials: StaffCredentialsService,
    private readonly collection: CollectionKeysService,
    private readonly audit: AuditService,
  ) {
    super();
  }

  async run(_params: string[], options: { batchSize?: number } = {}): Promise<void> {
    const batchSize = options.batchSize ?? 500;
    const { version } = this.keyring.addKekVersion();
    process.stdout.write(`Added key-encryption key version ${version} to ${this.keyring.location}\n`);
    const numbers = await this.numbers.rewrapDataKeys(batchSize, (done) => process.stdout.write(`  numbers re-wrapped: ${done}\r`));
    const totp = await this.credentials.rewrapTotpSecrets(version, batchSize);
    const collected = await this.collection.rewrapDataKeys(batchSize);
    const counts = await this.numbers.keyVersionCounts();
    const collectionCounts = await this.collection.keyVersionCounts();
    await this.audit.record({
      action: 'keys.rotated',
      outcome: 'success',
      actorUsername: 'cli',
      details: { version, numbersRewrapped: numbers, totpSecretsRewrapped: totp, collectionDataKeysRewrapped: collected, dataKeysByVersion: counts },
    });
    process.stdout.write(
      `\nRe-wrapped ${numbers} number data keys, ${totp} TOTP secrets and ${collected} collection data keys. Data keys by version: ${JSON.stringify(counts)}\n`,
    );
    const stale = [...Object.entries(counts), ...Object.entries(collectionCounts)].filter(([v]) => Number(v) < version);
    if (stale.length) {
      process.stderr.write('Some data keys were locked by running requests and are still under older versions: run keys:rotate again.\n');
      process.exitCode = 1;
    }
  }

  @Option({ flags: '--batch-size <n>', description: 'Data keys per transaction (default 500)' })
  parseBatchSize(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 10000) throw new Error('--batch-size must be an integer from 1 to 10000');
    return n;
  }
}
