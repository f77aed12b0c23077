import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash, X509Certificate } from 'node:crypto';
import { Command, CommandRunner } from 'nest-commander';
import { Env } from '@/config/env.schema';
import { initialiseKeystore } from '@/crypto/keyring.service';

/**
 * Creates the vault's keys once: a new PKCS#12 keystore at KEYSTORE_PATH (or
 * $DATA_DIR/keystore.p12) under KEYSTORE_PASSPHRASE. In production this is the only way keys
 * come into being (the service refuses to start without a keystore); it never overwrites one.
 */
@Command({ name: 'keys:init', description: 'Create a new keystore (KEK v1, blind-index key, audit signing key); never overwrites one' })
export class KeysInitCommand extends CommandRunner {
  private readonly logger = new Logger('keys:init');

  constructor(private readonly config: ConfigService<Env, true>) {
    super();
  }

  async run(): Promise<void> {
    const { path, contents } = initialiseKeystore(this.config, this.logger);
    const fingerprint = createHash('sha256').update(new X509Certificate(contents.signingCertPem).raw).digest('hex');
    process.stdout.write(
      `Created a new keystore at ${path}\n` +
        `  audit signing certificate SHA-256: ${fingerprint}\n` +
        'Back it up now, apart from database backups, and keep KEYSTORE_PASSPHRASE in a password manager (docs/keys.md).\n',
    );
  }
}
