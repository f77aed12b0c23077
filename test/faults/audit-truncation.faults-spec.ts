/**
 * Fault (issue #17): the database's owner hides the newest audit entries.
 *
 * 1. Truncation. Acting as the schema owner (superuser), with the vault running: disable the
 *    triggers, delete the newest entries together with their checkpoints and tree data, and
 *    set the sequence back, so what is left is internally consistent. The hash chain alone
 *    (the state before issue #17) still verified; the witnessed tree head must now expose it.
 * 2. Rollback. Restore an older pg_dump of the whole database and start the vault on it.
 *
 * Both times `POST /audit/verify` and the offline `audit:verify` (export + certificate +
 * witness directory) must fail, naming the witnessed head (size and root) and the database's.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { scanWitnessDirectory } from '../../src/audit/witness-directory';
import { ROOT, sleep, startStack, Stack, VaultProcess } from './support/processes';
import { call, createSubjects, login, reveal, setUpTeam, stepUp, Team } from './support/http-staff';

const work = mkdtempSync(join(tmpdir(), 'mnv-faults-trunc-'));

function runCli(vault: VaultProcess, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) =>
    execFile(
      process.execPath,
      [...VaultProcess.nodeArgs('cli'), ...args],
      { cwd: ROOT, env: { ...vault.env(), TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') }, timeout: 120_000 },
      (error, stdout, stderr) => res({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

function toJson(head: { treeSize: number; rootHash: Buffer; at: string; signature: Buffer }) {
  return {
    format: 'mynumber-vault-sth-v1',
    treeSize: head.treeSize,
    rootHash: head.rootHash.toString('hex'),
    at: head.at,
    signature: head.signature.toString('base64'),
  };
}

/** One private stack (PostgreSQL, Redis, vault with a witness directory) per scenario. */
function scenario(label: string) {
  const ctx = {
    witnessDir: mkdtempSync(join(tmpdir(), `mnv-faults-witness-${label}-`)),
    stack: null as unknown as Stack,
    team: null as unknown as Team,
    certPath: join(work, `${label}-cert.pem`),
  };
  const publicKey = () => new X509Certificate(readFileSync(ctx.certPath)).publicKey;

  beforeAll(async () => {
    ctx.stack = await startStack({ AUDIT_WITNESS_DIR: ctx.witnessDir, AUDIT_WITNESS_INTERVAL_MS: '0', SEAL_INTERVAL_MS: '100' });
    ctx.team = await setUpTeam(ctx.stack.vault);
    const cert = await call(ctx.stack.vault.url, 'GET', '/audit/certificate', { token: ctx.team.auditor.token });
    expect(cert.status).toBe(200);
    writeFileSync(ctx.certPath, cert.text);
  });

  afterAll(async () => {
    await ctx.stack?.destroy();
  });

  /** Reveals (audited) to grow the trail, then waits until the witness directory holds the database's newest head. */
  async function growAndWitness(people: number): Promise<{ treeSize: number; rootHash: string }> {
    const { stack, team } = ctx;
    if (people > 0) {
      const subjects = await createSubjects(team.clerk, people, 8);
      await stepUp(team.clerk);
      for (const s of subjects) expect((await reveal(team.clerk, s.id)).status).toBe(200);
    }
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [db] = await stack.pg.query<{ size: string; root: Buffer }>(
        `SELECT tree_size::text AS size, root_hash AS root FROM audit_tree_head ORDER BY tree_size DESC LIMIT 1`,
      );
      const [{ unsealed }] = (await stack.pg.query<{ unsealed: number }>(`SELECT count(*)::int AS unsealed FROM audit_entry WHERE hash IS NULL`)) as [
        { unsealed: number },
      ];
      const witnessed = scanWitnessDirectory(ctx.witnessDir, publicKey()).latest;
      if (db && unsealed === 0 && witnessed && witnessed.treeSize === Number(db.size)) {
        expect(witnessed.rootHash.equals(db.root)).toBe(true);
        return { treeSize: witnessed.treeSize, rootHash: witnessed.rootHash.toString('hex') };
      }
      if (Date.now() > deadline) throw new Error(`the witness did not catch up: db ${db?.size}, witnessed ${witnessed?.treeSize}, unsealed ${unsealed}`);
      await sleep(200);
    }
  }

  async function apiVerify(): Promise<{ ok: boolean; reason?: string; treeSize: number; witnessedHead: { treeSize: number } | null }> {
    const answer = await call(ctx.stack.vault.url, 'POST', '/audit/verify', { token: ctx.team.auditor.token, timeoutMs: 60_000 });
    expect(answer.status).toBe(200);
    return answer.body;
  }

  async function exportFile(name: string): Promise<string> {
    const answer = await call(ctx.stack.vault.url, 'GET', '/audit/export', { token: ctx.team.auditor.token, timeoutMs: 60_000 });
    expect(answer.status).toBe(200);
    const path = join(work, name);
    writeFileSync(path, answer.text);
    return path;
  }

  return { ctx, publicKey, growAndWitness, apiVerify, exportFile };
}

describe('fault: the database owner cuts off the newest audit entries', () => {
  const { ctx, growAndWitness, apiVerify, exportFile } = scenario('cut');

  it('verify (API and CLI) names the witnessed head and the database’s', async () => {
    const { stack } = ctx;
    const before = await growAndWitness(12);
    expect(await apiVerify()).toMatchObject({ ok: true, witnessedHead: { treeSize: before.treeSize } });
    const witnessed = await growAndWitness(0); // the verification is an entry too: wait for its head to be witnessed

    // The owner cuts at the newest round boundary at least 10 entries back, so the rest is consistent.
    const [{ cut }] = (await stack.pg.query<{ cut: string }>(
      `SELECT max(c.last_seq)::text AS cut FROM audit_checkpoint c JOIN audit_tree_head h ON h.tree_size = c.last_seq WHERE c.last_seq <= $1`,
      [witnessed.treeSize - 10],
    )) as [{ cut: string }];
    const cutAt = Number(cut);
    expect(cutAt).toBeGreaterThan(0);
    const tables = ['audit_entry', 'audit_checkpoint', 'audit_tree_node', 'audit_tree_head', 'audit_witness_receipt'];
    // The running vault's sealer takes these tables' locks in its own order, so the owner's LOCK can
    // meet it in a deadlock (seen once in CI); PostgreSQL then rolls the cut back whole, and the
    // owner, like any attacker, simply tries again.
    const attack = () =>
      stack.pg.query(`
      BEGIN;
      LOCK TABLE ${tables.join(', ')} IN ACCESS EXCLUSIVE MODE;
      ${tables.map((t) => `ALTER TABLE ${t} DISABLE TRIGGER USER;`).join('\n')}
      DELETE FROM audit_entry WHERE seq > ${cutAt};
      DELETE FROM audit_checkpoint WHERE last_seq > ${cutAt};
      DELETE FROM audit_tree_head WHERE tree_size > ${cutAt};
      DELETE FROM audit_tree_node WHERE (idx + 1) * (2::numeric ^ level) > ${cutAt};
      DELETE FROM audit_witness_receipt;
      SELECT setval('audit_entry_seq_seq', ${cutAt});
      ${tables.map((t) => `ALTER TABLE ${t} ENABLE TRIGGER USER;`).join('\n')}
      COMMIT;`);
    for (let attempt = 1; ; attempt++) {
      try {
        await attack();
        break;
      } catch (error) {
        if (attempt >= 5 || !/deadlock detected/.test((error as Error).message)) throw error;
      }
    }

    const after = await apiVerify();
    expect(after.ok).toBe(false);
    expect(after.reason).toContain(`size ${witnessed.treeSize}, root ${witnessed.rootHash}`);
    expect(after.reason).toContain('witness directory');
    expect(after.reason).toMatch(/is smaller than|is not an extension of/);

    // Offline: the export (what the owner's database now holds), the certificate and the witness directory.
    const exported = await exportFile('cut.ndjson');
    const plain = await runCli(stack.vault, ['audit:verify', exported, '--cert', ctx.certPath]);
    expect(plain.code).toBe(0); // the export alone is self-consistent: this is what the witness is for
    const cli = await runCli(stack.vault, ['audit:verify', exported, '--cert', ctx.certPath, '--witness-dir', ctx.witnessDir]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('NOT INTACT');
    expect(cli.stdout).toContain(`size ${witnessed.treeSize}, root ${witnessed.rootHash}`);
  });
});

describe('fault: the database owner restores an older pg_dump of the whole database', () => {
  const { ctx, publicKey, growAndWitness, apiVerify, exportFile } = scenario('rollback');

  it('verify (API and CLI) names the witnessed head; the witness refuses the rolled-back heads', async () => {
    const { stack, team } = ctx;
    await growAndWitness(3);
    const backup = join(stack.pg.dir, 'older.dump');
    await stack.pg.dump(backup);
    const witnessed = await growAndWitness(10);
    const held = scanWitnessDirectory(ctx.witnessDir, publicKey()).latest!;

    await stack.vault.stop();
    await stack.pg.restore(backup);
    await stack.vault.start();
    await stack.vault.waitForHealth('ok', 30_000);
    for (const who of [team.auditor, team.clerk]) expect((await login(who)).status).toBe(200); // new audit entries, sealed
    await sleep(1500);

    const after = await apiVerify();
    expect(after.ok).toBe(false);
    expect(after.reason).toContain(`size ${witnessed.treeSize}, root ${witnessed.rootHash}`);
    // The witness still holds the newer head: it refused the rolled-back database's heads.
    expect(scanWitnessDirectory(ctx.witnessDir, publicKey()).latest!.treeSize).toBe(witnessed.treeSize);

    const exported = await exportFile('rolled-back.ndjson');
    const cli = await runCli(stack.vault, ['audit:verify', exported, '--cert', ctx.certPath, '--witness-dir', ctx.witnessDir]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`size ${witnessed.treeSize}, root ${witnessed.rootHash}`);

    // The auditor's own state file (the last head verified) refuses to go backwards as well.
    const state = join(work, 'state.json');
    writeFileSync(state, JSON.stringify(toJson(held)) + '\n');
    const back = await runCli(stack.vault, ['audit:verify', exported, '--cert', ctx.certPath, '--state', state]);
    expect(back.code).toBe(1);
    expect(back.stdout).toContain('refusing to go backwards');
  });
});
