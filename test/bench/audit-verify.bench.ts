/**
 * Audit chain verification speed: 1,000,000 synthetic entries, sealed in memory with
 * checkpoints every 5,000 entries (as the sealer does), then verified the way
 * POST /audit/verify does (recompute every hash, check every checkpoint signature).
 *
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register test/bench/audit-verify.bench.ts [entries]
 *
 * Target (issue 5): at least 300,000 entries per second on the 2-core build machine.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import {
  canonicalEntry,
  entryHash,
  ChainCheckpoint,
  ChainEntry,
  formatAuditTime,
  signCheckpoint,
  ZERO_HASH,
} from '../../src/audit/audit-chain';
import { pagesOf, verifyChainParallel } from '../../src/audit/audit-chain-parallel';

const ACTIONS = ['number.revealed', 'number.revealed', 'number.bulk-retrieved', 'auth.login', 'number.stored', 'number.reveal-refused'];
const PURPOSES = ['withholding-slip', 'health-pension', 'employment-insurance', null];

export interface AuditVerifyBench {
  entries: number;
  checkpoints: number;
  seconds: number;
  entriesPerSecond: number;
}

/** Builds `count` sealed entries (database shape: text seq, Buffer hash) and their checkpoints. */
export function syntheticChain(count: number, checkpointEvery = 5000) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const actors = Array.from({ length: 50 }, (_, i) => ({ id: randomUUID(), username: `clerk${String(i).padStart(2, '0')}` }));
  const subjects = Array.from({ length: 10_000 }, () => randomUUID());
  const entries: ChainEntry[] = new Array(count);
  const checkpoints: ChainCheckpoint[] = [];
  const start = Date.parse('2025-01-06T00:00:00Z');
  let prev = ZERO_HASH;
  for (let i = 0; i < count; i++) {
    const seq = i + 1;
    const actor = actors[i % actors.length];
    const action = ACTIONS[i % ACTIONS.length];
    const entry: ChainEntry = {
      seq: String(seq),
      at: formatAuditTime(new Date(start + i * 37)),
      actorId: actor.id,
      actorUsername: actor.username,
      actorRoles: ['clerk'],
      action,
      subjectId: action === 'auth.login' ? null : subjects[i % subjects.length],
      purpose: action.startsWith('number.') ? PURPOSES[i % PURPOSES.length] : null,
      outcome: action === 'number.reveal-refused' ? 'refused' : 'success',
      requestId: randomUUID(),
      clientAddress: '10.0.' + (i % 250) + '.' + (i % 200),
      details: i % 10 === 0 ? { count: i % 500, batch: { index: i % 7, of: 7 } } : i % 3 === 0 ? { reason: 'purpose not notified' } : {},
    };
    prev = entryHash(prev, entry);
    entry.hash = prev;
    entries[i] = entry;
    if (seq % checkpointEvery === 0 || seq === count) {
      const cp = { id: checkpoints.length + 1, seq: String(seq), head: prev, at: formatAuditTime(new Date(start + i * 37 + 500)), signature: ZERO_HASH };
      cp.signature = signCheckpoint(cp, privateKey);
      checkpoints.push(cp);
    }
  }
  return { entries, checkpoints, publicKey };
}

export async function benchAuditVerify(count = 1_000_000): Promise<AuditVerifyBench & { entriesPerSecond: number }> {
  const { entries, checkpoints, publicKey } = syntheticChain(count);
  await verifyChainParallel(pagesOf(entries.slice(0, 50_000)), { publicKey, checkpoints: checkpoints.slice(0, 10) }); // warm up
  const started = process.hrtime.bigint();
  const result = await verifyChainParallel(pagesOf(entries), { publicKey, checkpoints });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!result.ok || result.entriesChecked !== count) throw new Error(`benchmark chain did not verify: ${result.reason}`);
  return { entries: count, checkpoints: checkpoints.length, seconds, entriesPerSecond: Math.round(count / seconds) };
}

if (require.main === module) {
  const count = Number(process.argv[2] ?? 1_000_000);
  benchAuditVerify(count)
    .then((r) => {
      process.stdout.write(
        `audit verify: ${r.entries.toLocaleString('en')} entries, ${r.checkpoints} checkpoints in ${r.seconds.toFixed(2)} s = ` +
          `${r.entriesPerSecond.toLocaleString('en')} entries/s (target 300,000)\n`,
      );
      process.exitCode = r.entriesPerSecond >= 300_000 ? 0 : 1;
    })
    .catch((error: Error) => {
      process.stderr.write(`${error.stack}\n`);
      process.exit(2);
    });
}
