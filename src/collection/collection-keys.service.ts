import { Injectable, Module } from '@nestjs/common';
import { EnvelopeService } from '@/crypto/envelope.service';
import { KeyringService } from '@/crypto/keyring.service';
import { CollectionRepository } from './collection.repository';

/**
 * Key rotation and retirement for what collection links hold encrypted (entries' numbers and
 * identity photos): re-wraps their data keys under the current KEK, and counts them by version.
 */
@Injectable()
export class CollectionKeysService {
  constructor(
    private readonly repository: CollectionRepository,
    private readonly envelope: EnvelopeService,
    private readonly keyring: KeyringService,
  ) {}

  keyVersionCounts(): Promise<Record<string, number>> {
    return this.repository.keyVersionCounts();
  }

  async rewrapDataKeys(batchSize = 500): Promise<number> {
    let done = 0;
    for (const table of ['collection_entry', 'collection_image'] as const) {
      for (;;) {
        const current = this.keyring.currentKek().version;
        const count = await this.repository.transaction(async (m) => {
          const rows = await this.repository.staleDataKeys(table, current, batchSize, m);
          for (const row of rows) {
            const rewrapped = this.envelope.rewrap(row.wrappedKey, row.keyVersion);
            await this.repository.setWrappedKey(table, row.id, rewrapped.wrappedKey, rewrapped.keyVersion, m);
          }
          return rows.length;
        });
        done += count;
        if (count === 0) break;
      }
    }
    return done;
  }
}

/** Only the key maintenance of the collection module, for the keys module and the command line. */
@Module({
  providers: [CollectionRepository, CollectionKeysService],
  exports: [CollectionKeysService],
})
export class CollectionKeysModule {}
