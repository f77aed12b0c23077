import { ConfigService } from '@nestjs/config';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AuditService, AuditEvent } from '../src/audit/audit.service';
import { AuditSealerService } from '../src/audit/audit-sealer.service';
import { AuditVerifyService } from '../src/audit/audit-verify.service';
import { AuditProofsService } from '../src/audit/audit-proofs.service';
import { AuditWitnessService } from '../src/audit/audit-witness.service';
import { MetricsService } from '../src/metrics/metrics.service';
import { ClockService } from '../src/config/clock.service';
import { Env } from '../src/config/env.schema';
import { KeyringService } from '../src/crypto/keyring.service';
import { dataSourceOptions } from '../src/database/data-source-options';
import { prepareDatabase } from '../src/database/prepare-database';

/**
 * Tampering, gaps and concurrent sealers, in a scratch database this spec creates and drops, so
 * the sabotage here never disturbs the run's shared database. Services are built by hand on
 * their own connections (the app role, as in production) with a keystore of their own.
 */

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

interface Vault {
  ds: DataSource;
  clock: ClockService;
  audit: AuditService;
  sealer: AuditSealerService;
  verify: AuditVerifyService;
}

const dir = mkdtempSync(join(tmpdir(), 'mnv-audit-chain-'));
const settings: Record<string, unknown> = {
  DATA_DIR: dir,
  KEYSTORE_PASSPHRASE: randomBytes(18).toString('base64'),
  SEAL_INTERVAL_MS: 20,
  AUDIT_GAP_GRACE_MS: 300,
  AUDIT_SEALER_ENABLED: false,
};
const config = { get: (key: string) => settings[key] } as unknown as ConfigService<Env, true>;
const keyring = new KeyringService(config);
const certPath = join(dir, 'cert.pem');
writeFileSync(certPath, keyring.signingCertPem);

const dbUrl = (() => {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/mnv_test_audit_${Date.now()}_${randomBytes(3).toString('hex')}`;
  return url.toString();
})();
const env = { DATABASE_URL: dbUrl, DATABASE_APP_ROLE: process.env.DATABASE_APP_ROLE ?? 'mynumber_app', DATABASE_POOL_SIZE: 6 };

async function openVault(): Promise<Vault> {
  const ds = new DataSource(dataSourceOptions(env, 'app'));
  await ds.initialize();
  const clock = new ClockService();
  const metrics = new MetricsService();
  const audit = new AuditService(ds, clock, metrics);
  const proofs = new AuditProofsService(ds);
  const witnesses = new AuditWitnessService(ds, clock, keyring, config, proofs);
  return {
    ds,
    clock,
    audit,
    sealer: new AuditSealerService(ds, clock, keyring, config, metrics, witnesses),
    verify: new AuditVerifyService(ds, keyring, audit, witnesses, proofs),
  };
}

function event(i: number, over: Partial<AuditEvent> = {}): AuditEvent {
  return {
    action: i % 3 === 0 ? 'number.reveal-refused' : 'number.revealed',
    outcome: i % 3 === 0 ? 'refused' : 'success',
    actor: { userId: randomUUID(), username: `clerk-${i % 4}`, roles: ['clerk'] },
    subjectId: randomUUID(),
    purpose: 'withholding-slip',
    request: { requestId: `req-${i}`, clientAddress: '192.0.2.10' },
    details: i % 2 ? { reason: 'purpose-not-notified', note: '確認済み "quoted"' } : {},
    ...over,
  };
}

async function exportFile(vault: Vault, name: string): Promise<string> {
  const path = join(dir, name);
  let text = '';
  for await (const chunk of vault.verify.exportChunks(await vault.verify.planExport())) text += chunk;
  writeFileSync(path, text);
  return path;
}

/** The offline verifier as a separate process: the project CLI once it exists, else the command file itself. */
async function cli(exportPath: string): Promise<{ code: number; out: string }> {
  const viaCli = existsSync(join(ROOT, 'src', 'cli.ts'));
  const args = viaCli
    ? ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/cli.ts', 'audit:verify', exportPath, '--cert', certPath]
    : ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/audit/audit-verify.command.ts', exportPath, '--cert', certPath];
  try {
    const { stdout } = await run(process.execPath, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 60_000 });
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Runs statements as the owner with triggers off (session_replication_role = replica), as a saboteur would. */
async function sabotage(owner: Client, ...statements: Array<[string, unknown[]?]>): Promise<void> {
  await owner.query('BEGIN');
  try {
    await owner.query('SET LOCAL session_replication_role = replica');
    for (const [sql, params] of statements) await owner.query(sql, params ?? []);
    await owner.query('COMMIT');
  } catch (error) {
    await owner.query('ROLLBACK');
    throw error;
  }
}

// Each tampering test runs the offline CLI (a ts-node process): on a shared 2-core machine under load that alone can pass a minute.
jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('audit chain against a scratch database', () => {
  let owner: Client;
  let vault: Vault;

  beforeAll(async () => {
    await prepareDatabase(env);
    owner = new Client({ connectionString: dbUrl });
    await owner.connect();
    vault = await openVault();
  });

  afterAll(async () => {
    await vault?.sealer.stop();
    await vault?.ds.destroy();
    await owner?.end();
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(dbUrl).pathname.slice(1)}" WITH (FORCE)`);
    await admin.end();
  });

  describe('tampering', () => {
    let exported: string;

    beforeAll(async () => {
      await vault.audit.recordMany(Array.from({ length: 40 }, (_, i) => event(i)));
      const sealed = await vault.sealer.sealNow();
      expect(sealed.sealed).toBeGreaterThanOrEqual(40);
      exported = await exportFile(vault, 'intact.ndjson');
    });

    afterEach(async () => {
      // every test restores what it broke
      expect(await vault.verify.verifyDatabase()).toMatchObject({ ok: true });
    });

    it('verifies an intact chain in the database and offline', async () => {
      const result = await vault.verify.verifyDatabase();
      expect(result).toMatchObject({ ok: true, entriesChecked: 40 });
      expect(result.checkpointsChecked).toBeGreaterThanOrEqual(1);
      const offline = await cli(exported);
      expect(offline.out).toMatch(/intact: 40 entries/);
      expect(offline.code).toBe(0);
    });

    it('names entry k after one field of it was changed with triggers off', async () => {
      const k = 17;
      const [{ purpose }] = (await owner.query('SELECT purpose FROM audit_entry WHERE seq = $1', [k])).rows;
      await sabotage(owner, [`UPDATE audit_entry SET purpose = 'health-pension' WHERE seq = $1`, [k]]);
      try {
        expect(await vault.verify.verifyDatabase()).toMatchObject({ ok: false, firstBadSeq: k, entriesChecked: k - 1 });
        const offline = await cli(await exportFile(vault, 'changed.ndjson'));
        expect(offline.code).toBe(1);
        expect(offline.out).toMatch(new RegExp(`first bad entry ${k}\\b`));
      } finally {
        await sabotage(owner, [`UPDATE audit_entry SET purpose = $2 WHERE seq = $1`, [k, purpose]]);
      }
    });

    it('names a deleted entry', async () => {
      const k = 23;
      const [row] = (await owner.query('SELECT * FROM audit_entry WHERE seq = $1', [k])).rows;
      await sabotage(owner, ['DELETE FROM audit_entry WHERE seq = $1', [k]]);
      try {
        const result = await vault.verify.verifyDatabase();
        expect(result).toMatchObject({ ok: false, firstBadSeq: k });
        expect(result.reason).toMatch(/missing/);
        const offline = await cli(await exportFile(vault, 'deleted.ndjson'));
        expect(offline.code).toBe(1);
        expect(offline.out).toMatch(new RegExp(`first bad entry ${k}\\b`));
      } finally {
        const columns = Object.keys(row);
        await sabotage(owner, [
          `INSERT INTO audit_entry (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
          columns.map((c) => (c === 'details' ? JSON.stringify(row[c]) : row[c])),
        ]);
      }
    });

    it('names the first of two swapped entries, in the database and in an edited export', async () => {
      const [a, b] = [8, 12];
      const cols = 'at, actor_id, actor_username, actor_roles, action, subject_id, purpose, outcome, request_id, client_address, details';
      const swap = `UPDATE audit_entry AS t SET (${cols}) = (SELECT ${cols} FROM audit_entry s WHERE s.seq = CASE t.seq WHEN $1 THEN $2 ELSE $1 END)
                    WHERE t.seq IN ($1, $2)`;
      await sabotage(owner, [swap, [a, b]]);
      try {
        expect(await vault.verify.verifyDatabase()).toMatchObject({ ok: false, firstBadSeq: a });
        const offline = await cli(await exportFile(vault, 'swapped.ndjson'));
        expect(offline.out).toMatch(new RegExp(`first bad entry ${a}\\b`));
        expect(offline.code).toBe(1);
      } finally {
        await sabotage(owner, [swap, [a, b]]);
      }
      // and two lines exchanged in an export file
      const lines = readFileSync(exported, 'utf8').split('\n');
      [lines[5], lines[6]] = [lines[6]!, lines[5]!]; // line 0 is the anchor: entries 5 and 6
      const edited = join(dir, 'reordered.ndjson');
      writeFileSync(edited, lines.join('\n'));
      const offline = await cli(edited);
      expect(offline.code).toBe(1);
      expect(offline.out).toMatch(/first bad entry 5\b/);
    });

    it('notices a rewritten chain through the signed checkpoints', async () => {
      const k = 30;
      const before = (await owner.query('SELECT seq, outcome, hash FROM audit_entry WHERE seq >= $1 ORDER BY seq', [k])).rows;
      // rewrite entry k and recompute every later hash, as someone with the database (but not the key) could
      const { entryHash } = await import('../src/audit/audit-chain');
      const rows = await vault.ds.query(
        `SELECT e.seq::text AS seq, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, e.actor_id AS "actorId",
                e.actor_username AS "actorUsername", e.actor_roles AS "actorRoles", e.action, e.subject_id AS "subjectId", e.purpose,
                e.outcome, e.request_id AS "requestId", e.client_address AS "clientAddress", e.details, e.hash
         FROM audit_entry e WHERE seq >= $1 - 1 ORDER BY seq`,
        [k],
      );
      let prev: Buffer = rows[0].hash;
      const updates: Array<[string, unknown[]]> = [];
      for (const row of rows.slice(1)) {
        if (!row.hash) break;
        if (Number(row.seq) === k) row.outcome = 'failure';
        prev = entryHash(prev, row);
        updates.push(['UPDATE audit_entry SET outcome = $2, hash = $3 WHERE seq = $1', [row.seq, row.outcome, prev]]);
      }
      await sabotage(owner, ...updates);
      try {
        const result = await vault.verify.verifyDatabase();
        expect(result.ok).toBe(false);
        expect(result.reason).toMatch(/rewritten/);
        expect(result.firstBadSeq).toBeLessThanOrEqual(k);
      } finally {
        await sabotage(
          owner,
          ...before.map((r): [string, unknown[]] => ['UPDATE audit_entry SET outcome = $2, hash = $3 WHERE seq = $1', [r.seq, r.outcome, r.hash]]),
        );
      }
    });
  });

  describe('gaps from rolled-back writers', () => {
    it('waits for a missing sequence number, then records it as rolled back', async () => {
      const head = (await vault.sealer.sealNow()).headSeq;
      const rolledBack = vault.ds.createQueryRunner();
      await rolledBack.startTransaction();
      await vault.audit.record(event(1), rolledBack.manager);
      await rolledBack.rollbackTransaction();
      await rolledBack.release();
      await vault.audit.record(event(2));

      const waiting = await vault.sealer.sealNow();
      expect(waiting.waitingForSeq).toBe(String(Number(head) + 1));
      expect(waiting.headSeq).toBe(head);

      vault.clock.advance(1000); // past AUDIT_GAP_GRACE_MS since the sealer first saw the gap
      const filled = await vault.sealer.sealNow();
      expect(filled).toMatchObject({ gapsFilled: 1, waitingForSeq: null, headSeq: String(Number(head) + 2) });
      const [gap] = (await owner.query('SELECT action, outcome, actor_id FROM audit_entry WHERE seq = $1', [Number(head) + 1])).rows;
      expect(gap).toEqual({ action: 'audit.gap', outcome: 'failure', actor_id: null });
      expect(await vault.verify.verifyDatabase()).toMatchObject({ ok: true });
    });

    it('never seals past a slow writer: its entry wins over the gap entry', async () => {
      const head = Number((await vault.sealer.sealNow()).headSeq);
      const slow = vault.ds.createQueryRunner();
      await slow.startTransaction();
      await vault.audit.record(event(3, { details: { slow: true } }), slow.manager); // takes head + 1, not committed
      await vault.audit.record(event(4));
      expect((await vault.sealer.sealNow()).waitingForSeq).toBe(String(head + 1));

      vault.clock.advance(10_000);
      const sealing = vault.sealer.sealNow(); // tries to record head + 1 as a gap: PostgreSQL makes it wait for the writer
      await sleep(300);
      await slow.commitTransaction();
      await slow.release();
      const done = await sealing;
      expect(done).toMatchObject({ gapsFilled: 0, headSeq: String(head + 2) });
      const [row] = (await owner.query('SELECT action, details FROM audit_entry WHERE seq = $1', [head + 1])).rows;
      expect(row).toEqual({ action: 'number.reveal-refused', details: { slow: true } }); // the writer's entry, not audit.gap
      expect(await vault.verify.verifyDatabase()).toMatchObject({ ok: true });
    });
  });

  it('two sealers on two connections pools, running at once with busy writers, never fork the chain', async () => {
    const second = await openVault();
    const startSeq = Number((await vault.sealer.sealNow()).headSeq);
    const sealedBy = [0, 0];
    const lockedOut = [0, 0];
    let writing = true;
    const sealers = [vault, second].map(async (v, i) => {
      while (writing) {
        const round = await v.sealer.sealRound().catch(() => null);
        if (round?.locked) sealedBy[i]! += round.sealed;
        else if (round) lockedOut[i]!++;
        await sleep(5 + Math.random() * 10);
      }
    });
    const writers = Array.from({ length: 4 }, async (_, w) => {
      let n = 0;
      const until = Date.now() + 3000;
      const latest = Date.now() + 60_000; // on a busy machine, go on until both instances have sealed
      while (Date.now() < until || ((sealedBy[0] === 0 || sealedBy[1] === 0) && Date.now() < latest)) {
        if (n % 7 === 3) {
          const qr = (w % 2 ? second : vault).ds.createQueryRunner();
          await qr.startTransaction();
          await vault.audit.record(event(n), qr.manager);
          await sleep(Math.random() * 20);
          await qr.rollbackTransaction();
          await qr.release();
        } else {
          await (w % 2 ? second : vault).audit.recordMany([event(n), event(n + 1)]);
        }
        n++;
      }
      return n;
    });
    await Promise.all(writers);
    await sleep(500); // let the grace period pass for the last gaps
    writing = false;
    await Promise.all(sealers);
    vault.clock.advance(1000); // every gap this instance has seen is now past its grace period
    await vault.sealer.sealNow(); // sees the gaps only the other instance met
    vault.clock.advance(1000);
    const last = await vault.sealer.sealNow();
    expect(last.waitingForSeq).toBeNull();

    process.stdout.write(`sealed by instance: ${sealedBy.join(' / ')}; rounds locked out: ${lockedOut.join(' / ')}\n`);
    expect(sealedBy[0]).toBeGreaterThan(0);
    expect(sealedBy[1]).toBeGreaterThan(0);
    const [{ unsealed }] = (await owner.query('SELECT count(*)::int AS unsealed FROM audit_entry WHERE hash IS NULL')).rows;
    expect(unsealed).toBe(0);
    const checkpoints = (await owner.query('SELECT last_seq::int AS s FROM audit_checkpoint ORDER BY id')).rows.map((r) => r.s as number);
    for (let i = 1; i < checkpoints.length; i++) expect(checkpoints[i]).toBeGreaterThan(checkpoints[i - 1]!);
    const [{ max }] = (await owner.query('SELECT max(seq)::int AS max FROM audit_entry')).rows;
    expect(checkpoints[checkpoints.length - 1]).toBe(max);
    expect(max).toBeGreaterThan(startSeq + 50);
    const result = await second.verify.verifyDatabase();
    expect(result).toMatchObject({ ok: true, entriesChecked: max });
    await second.ds.destroy();
  });

  it('refuses changes even from the owner while the triggers are on', async () => {
    await expect(owner.query(`UPDATE audit_entry SET purpose = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(owner.query(`DELETE FROM audit_entry WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(owner.query(`TRUNCATE audit_entry`)).rejects.toThrow(/append-only/);
    await expect(owner.query(`UPDATE audit_entry SET hash = NULL WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(owner.query(`DELETE FROM audit_checkpoint`)).rejects.toThrow(/append-only/);
    await expect(owner.query(`UPDATE audit_checkpoint SET signature = '\\x00'`)).rejects.toThrow(/append-only/);
  });
});
