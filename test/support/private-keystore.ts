// Import FIRST (after own-database) in a spec that changes how the keystore opens (custody mode):
// a keystore of its own, so the run's shared keystore keeps its passphrase.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PRIVATE_KEYSTORE_DIR = mkdtempSync(join(tmpdir(), 'mnv-private-keys-'));
process.env.KEYSTORE_PATH = join(PRIVATE_KEYSTORE_DIR, 'keystore.p12');
