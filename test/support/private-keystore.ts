// For a spec that changes how the keystore opens (custody mode): a keystore of its own, so the
// run's shared keystore keeps its passphrase.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SettingsOverrides } from './app';

export const PRIVATE_KEYSTORE_DIR = mkdtempSync(join(tmpdir(), 'mnv-private-keys-'));
/** Settings that point the app at that keystore. */
export const PRIVATE_KEYSTORE: SettingsOverrides = { KEYSTORE_PATH: join(PRIVATE_KEYSTORE_DIR, 'keystore.p12') };
