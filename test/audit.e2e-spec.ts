import { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service';
import { AuditAlertsService } from '../src/audit/audit-alerts.service';
import { checkpointBytes } from '../src/audit/audit-chain';
import { AuditReviewService } from '../src/audit/audit-review.service';
import { AuditSearchService } from '../src/audit/audit-search.service';
import { AuditVerifyService } from '../src/audit/audit-verify.service';
import { Staff } from '../src/common/auth/staff';
import { createTestApp, ownerConnection } from './support/app';
import { signIn, SignedIn } from './support/staff';
import { createSubject } from './support/subjects';

/**
 * The audit trail in the run's shared database, with the app (and its sealer) running. This spec
 * only reads and appends; tampering lives in audit-chain.e2e-spec.ts on a scratch database.
 */

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const APP_ROLE = process.env.DATABASE_APP_ROLE ?? 'mynumber_app';
const dir = mkdtempSync(join(tmpdir(), 'mnv-audit-'));
/** HTTP tests need a real auditor session: they run once staff access implements signIn. */
const SIGN_IN_READY = !readFileSync(join(__dirname, 'support', 'staff.ts'), 'utf8').includes('signIn is not implemented');
const itWithSessions = SIGN_IN_READY ? it : it.skip;

const auditorStaff: Staff = {
  userId: randomUUID(),
  username: 'auditor-e2e',
  roles: ['auditor'],
  sessionId: 'e2e',
  stepUpAt: null,
  trainingAcknowledgedAt: null,
  trainingVersion: null,
};

/** Digits that could be a number: 11+ digits, spaces or hyphens allowed between, after removing uuids and hashes. */
function numberLikeRuns(text: string): string[] {
  const cleaned = text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/[0-9a-f]{64}/gi, '<hash>')
    .replace(/"signature":"[^"]*"/g, '"signature":""');
  return cleaned.match(/[0-9０-９](?:[\s\-－]?[0-9０-９]){10,}/g) ?? [];
}

async function openssl(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('openssl', args, { cwd: dir });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function cliVerify(exportPath: string, certPath: string): Promise<{ code: number; out: string }> {
  const entry = existsSync(join(ROOT, 'src', 'cli.ts')) ? ['src/cli.ts', 'audit:verify'] : ['src/audit/audit-verify.command.ts'];
  try {
    const { stdout } = await run(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', ...entry, exportPath, '--cert', certPath],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 60_000 },
    );
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function waitUntil<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('audit trail (shared database, app running)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let audit: AuditService;
  let verifier: AuditVerifyService;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp();
    owner = await ownerConnection();
    audit = app.get(AuditService);
    verifier = app.get(AuditVerifyService);
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
  });

  /** Runs `sql` as the application role inside a transaction that is always rolled back. */
  async function asAppRole(sql: string, params: unknown[] = []): Promise<unknown> {
    const qr = owner.createQueryRunner();
    await qr.startTransaction();
    try {
      await qr.query(`SET LOCAL ROLE ${APP_ROLE}`);
      return await qr.query(sql, params);
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
  }

  async function sealedEntry(requestId: string): Promise<{ seq: string }> {
    await audit.record({ action: 'user.training-acknowledged', outcome: 'success', actor: auditorStaff, request: { requestId, clientAddress: '::1' } });
    return waitUntil('the sealer', async () => {
      const rows = await owner.query(`SELECT seq::text AS seq FROM audit_entry WHERE request_id = $1 AND hash IS NOT NULL`, [requestId]);
      return rows[0];
    });
  }

  describe('the application role', () => {
    let seq: string;
    beforeAll(async () => {
      ({ seq } = await sealedEntry(`priv-${randomUUID()}`));
    });

    it('may insert and read entries', async () => {
      await expect(asAppRole(`INSERT INTO audit_entry (at, action, outcome) VALUES (now(), 'auth.login', 'success')`)).resolves.toBeDefined();
      await expect(asAppRole(`SELECT count(*) FROM audit_entry`)).resolves.toBeDefined();
    });

    it.each([
      ['UPDATE', `UPDATE audit_entry SET outcome = 'failure' WHERE seq = $1`],
      ['DELETE', `DELETE FROM audit_entry WHERE seq = $1`],
      ['TRUNCATE', `TRUNCATE audit_entry`],
      ['UPDATE of a checkpoint', `UPDATE audit_checkpoint SET signed_at = now() WHERE last_seq >= $1`],
      ['DELETE of a checkpoint', `DELETE FROM audit_checkpoint WHERE last_seq >= $1`],
      ['TRUNCATE of reviews', `TRUNCATE audit_review`],
    ])('may not %s', async (_what, sql) => {
      await expect(asAppRole(sql, sql.includes('$1') ? [seq] : [])).rejects.toThrow(/permission denied|append-only/);
    });

    it('may not write a hash with a new entry, nor change a sealed hash', async () => {
      await expect(
        asAppRole(`INSERT INTO audit_entry (at, action, outcome, hash) VALUES (now(), 'auth.login', 'success', $1)`, [Buffer.alloc(32)]),
      ).rejects.toThrow(/permission denied/);
      await expect(asAppRole(`UPDATE audit_entry SET hash = $2 WHERE seq = $1`, [seq, Buffer.alloc(32)])).rejects.toThrow(/append-only/);
    });

    it('may not change another column while filling a hash', async () => {
      await audit.record({ action: 'auth.login', outcome: 'success', actorUsername: 'probe' });
      // the trigger only lets a hash be filled once with everything else unchanged; a column grant stops the rest first
      await expect(asAppRole(`UPDATE audit_entry SET hash = $1, outcome = 'failure' WHERE hash IS NULL`, [Buffer.alloc(32)])).rejects.toThrow(
        /permission denied|append-only/,
      );
    });
  });

  it('seals new entries promptly and verifies the whole chain', async () => {
    const started = Date.now();
    await sealedEntry(`seal-${randomUUID()}`);
    // about a second without gaps; a rolled-back writer elsewhere in this run (this spec makes some)
    // holds sealing for AUDIT_GAP_GRACE_MS (5 s) first
    expect(Date.now() - started).toBeLessThan(20_000); // a hang check with room for a busy machine, not a speed target
    const result = await verifier.verifyDatabase();
    expect(result).toMatchObject({ ok: true });
    expect(result.entriesChecked).toBeGreaterThan(0);
    expect(result.checkpointsChecked).toBeGreaterThan(0);
  });

  it('signs checkpoints that plain openssl verifies with the served certificate, and not after a one-byte change', async () => {
    await sealedEntry(`ossl-${randomUUID()}`);
    const [cp] = await owner.query(
      `SELECT last_seq::text AS seq, head_hash AS head, signature,
              to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
       FROM audit_checkpoint ORDER BY last_seq DESC LIMIT 1`,
    );
    writeFileSync(join(dir, 'cert.pem'), verifier.certificatePem);
    writeFileSync(join(dir, 'data.txt'), checkpointBytes(cp));
    writeFileSync(join(dir, 'sig.bin'), cp.signature);
    expect((await openssl('x509', '-in', 'cert.pem', '-pubkey', '-noout', '-out', 'pub.pem')).code).toBe(0);
    const ok = await openssl('dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig.bin', 'data.txt');
    expect(ok.out).toMatch(/Verified OK/);
    expect(ok.code).toBe(0);

    const badSig = Buffer.from(cp.signature);
    badSig[10]! ^= 0x01;
    writeFileSync(join(dir, 'sig-bad.bin'), badSig);
    const refusedSig = await openssl('dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig-bad.bin', 'data.txt');
    expect(refusedSig.code).not.toBe(0);
    expect(refusedSig.out).toMatch(/Verification failure/);

    const badData = checkpointBytes(cp);
    badData[badData.length - 3]! ^= 0x01;
    writeFileSync(join(dir, 'data-bad.txt'), badData);
    expect((await openssl('dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig.bin', 'data-bad.txt')).code).not.toBe(0);
  });

  it('exports NDJSON that the offline CLI accepts, and records the export', async () => {
    await sealedEntry(`export-${randomUUID()}`);
    const plan = await verifier.planExport();
    await verifier.recordExport(plan, {}, auditorStaff, { requestId: 'export-e2e', clientAddress: '::1' });
    let text = '';
    for await (const chunk of verifier.exportChunks(plan)) text += chunk;
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'anchor', format: 1, seq: 0 });
    expect(lines.filter((l) => l.type === 'entry')).toHaveLength(plan.entryCount);
    expect(lines[lines.length - 1]).toMatchObject({ type: 'checkpoint', seq: Number(plan.toSeq) });
    writeFileSync(join(dir, 'export.ndjson'), text);
    writeFileSync(join(dir, 'cert.pem'), verifier.certificatePem);
    const offline = await cliVerify(join(dir, 'export.ndjson'), join(dir, 'cert.pem'));
    expect(offline.out).toMatch(/^intact: /);
    expect(offline.code).toBe(0);
    const [recorded] = await owner.query(`SELECT details FROM audit_entry WHERE action = 'audit.exported' AND request_id = 'export-e2e'`);
    expect(recorded.details).toMatchObject({ fromSeq: 1, toSeq: Number(plan.toSeq), entries: plan.entryCount });
    expect(numberLikeRuns(text)).toEqual([]);
  });

  it('exports a time range widened to signed checkpoints', async () => {
    const from = new Date();
    const requestId = `range-${randomUUID()}`;
    const entry = await sealedEntry(requestId);
    const plan = await verifier.planExport(from);
    // Other specs share this database and some move their own clocks forward, so entries with a
    // later time may sit anywhere before ours; the range must still reach ours and be signed.
    expect(Number(plan.anchorSeq)).toBeLessThan(Number(entry.seq));
    expect(Number(plan.toSeq)).toBeGreaterThanOrEqual(Number(entry.seq));
    let text = '';
    for await (const chunk of verifier.exportChunks(plan)) text += chunk;
    expect(text).toContain(requestId);
    const path = join(dir, 'range.ndjson');
    writeFileSync(path, text);
    writeFileSync(join(dir, 'cert.pem'), verifier.certificatePem);
    const offline = await cliVerify(path, join(dir, 'cert.pem'));
    expect(offline.code).toBe(0);
  });

  it('searches with filters and keyset paging', async () => {
    const actor = { ...auditorStaff, userId: randomUUID(), username: `search-${randomUUID().slice(0, 8)}` };
    await audit.recordMany(
      Array.from({ length: 5 }, (_, i) => ({
        action: 'number.revealed' as const,
        outcome: 'success' as const,
        actor,
        subjectId: randomUUID(),
        purpose: i % 2 ? 'health-pension' : 'withholding-slip',
      })),
    );
    const search = app.get(AuditSearchService);
    const first = await search.entries({ actor: actor.userId, limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBe(first.items[1]!.seq);
    const second = await search.entries({ actor: actor.userId, limit: 2, cursor: first.nextCursor! });
    const third = await search.entries({ actor: actor.userId, limit: 2, cursor: second.nextCursor! });
    expect([...first.items, ...second.items, ...third.items].map((e) => e.seq)).toEqual(
      (await search.entries({ actor: actor.username })).items.map((e) => e.seq),
    );
    expect(third.nextCursor).toBeNull();
    expect((await search.entries({ actor: actor.userId, purpose: 'health-pension' })).items).toHaveLength(2);
    const newest = await search.entries({ actor: actor.userId, order: 'desc', limit: 1 });
    expect(newest.items[0]!.seq).toBe(third.items[third.items.length - 1]!.seq);
  });

  it('records review sign-offs as audit entries and refuses a note with a number in it', async () => {
    const reviews = app.get(AuditReviewService);
    const [{ last }] = await owner.query(`SELECT max(seq)::int AS last FROM audit_entry`);
    const review = await reviews.sign(
      auditorStaff,
      { upToSeq: last, note: 'Monthly review: nothing unusual.' },
      { requestId: 'review-e2e', clientAddress: '::1' },
    );
    expect(review).toMatchObject({ upToSeq: String(last), reviewerUsername: 'auditor-e2e' });
    const [entry] = await owner.query(`SELECT action, details FROM audit_entry WHERE request_id = 'review-e2e'`);
    expect(entry).toMatchObject({ action: 'audit.review-signed', details: { reviewId: Number(review.id), upToSeq: last } });
    expect((await reviews.list()).items[0]!.id).toBe(review.id);
    await expect(reviews.sign(auditorStaff, { upToSeq: last + 1_000_000, note: 'too far' }, { requestId: 'r', clientAddress: null })).rejects.toThrow(/beyond/);
  });

  it('raises unusual-use alerts from config/alerts.json thresholds', async () => {
    const actorId = randomUUID();
    const username = `alerts-${actorId.slice(0, 8)}`;
    // Tuesday 2025-06-10, 10:00 JST = 01:00 UTC: 31 reveals in 31 minutes (limit 30), inside working hours
    const base = Date.parse('2025-06-10T01:00:00Z');
    const insert = (at: number, action: string, outcome = 'success') =>
      owner.query(
        `INSERT INTO audit_entry (at, actor_id, actor_username, actor_roles, action, subject_id, purpose, outcome)
         VALUES ($1, $2, $3, '{clerk}', $4, $5, 'withholding-slip', $6)`,
        [new Date(at), actorId, username, action, randomUUID(), outcome],
      );
    for (let i = 0; i < 31; i++) await insert(base + i * 60_000, 'number.revealed');
    for (let i = 0; i < 6; i++) await insert(base + 2 * 3600_000 + i * 60_000, 'number.reveal-refused', 'refused');
    await insert(Date.parse('2025-06-10T14:30:00Z'), 'number.revealed'); // 23:30 JST
    await insert(Date.parse('2025-06-14T02:00:00Z'), 'number.bulk-retrieved'); // Saturday 11:00 JST
    const { items } = await app.get(AuditAlertsService).alerts({ from: new Date('2025-06-09T00:00:00Z'), to: new Date('2025-06-16T00:00:00Z') });
    const mine = items.filter((a) => a.actorId === actorId);
    expect(mine.map((a) => a.type).sort()).toEqual(['outside-working-hours', 'outside-working-hours', 'refused-reveals', 'reveals-per-hour']);
    expect(mine.find((a) => a.type === 'reveals-per-hour')).toMatchObject({ count: 31, limit: 30, actorUsername: username });
    expect(mine.find((a) => a.type === 'refused-reveals')).toMatchObject({ count: 6, limit: 5 });
  });

  it('never holds a number: every audit column is free of number-like digit runs', async () => {
    const rows = await owner.query(`SELECT seq, to_jsonb(e) - 'hash' AS row FROM audit_entry e`);
    const offenders = rows.filter((r: { row: unknown }) => numberLikeRuns(JSON.stringify(r.row)).length > 0);
    expect(offenders).toEqual([]);
  });

  describe('over HTTP', () => {
    it('refuses callers without a session', async () => {
      for (const [method, path] of [
        ['get', '/audit/entries'],
        ['get', '/audit/export'],
        ['get', '/audit/certificate'],
        ['post', '/audit/verify'],
        ['post', '/audit/reviews'],
        ['get', '/audit/reviews'],
        ['get', '/audit/alerts'],
      ] as const) {
        await http()[method](path).expect(401);
      }
    });

    let auditor: SignedIn;
    let clerk: SignedIn;
    const auth = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });

    itWithSessions('serves auditors and refuses clerks', async () => {
      auditor = await signIn(app, ['auditor']);
      clerk = await signIn(app, ['clerk']);
      await http().get('/audit/entries').set(auth(clerk)).expect(403);
      const page = await http().get('/audit/entries?limit=3&order=desc').set(auth(auditor)).expect(200);
      expect(page.body.items).toHaveLength(3);
      expect(page.body).toHaveProperty('nextCursor');
      await http().get('/audit/entries?limit=0').set(auth(auditor)).expect(400);
      const cert = await http().get('/audit/certificate').set(auth(auditor)).expect(200);
      expect(cert.headers['content-type']).toMatch(/application\/x-pem-file/);
      expect(cert.text).toBe(verifier.certificatePem);
      const verified = await http().post('/audit/verify').set(auth(auditor)).expect(200);
      expect(verified.body).toMatchObject({ ok: true });
      const [recorded] = await owner.query(`SELECT details FROM audit_entry WHERE action = 'audit.verified' AND actor_id = $1`, [auditor.userId]);
      expect(recorded.details).toMatchObject({ ok: true });
      const alerts = await http().get('/audit/alerts').set(auth(auditor)).expect(200);
      expect(Array.isArray(alerts.body.items)).toBe(true);
    });

    itWithSessions('stores and reveals numbers, then finds none of their digits in the trail or the export', async () => {
      const subjects = [await createSubject(app, clerk.token), await createSubject(app, clerk.token)];
      for (const s of subjects) {
        await http().post(`/subjects/${s.id}/number/reveal`).set(auth(clerk)).send({ purpose: 'withholding-slip' }).expect(200);
      }
      await waitUntil('sealing', async () => {
        const [{ n }] = await owner.query(`SELECT count(*)::int AS n FROM audit_entry WHERE hash IS NULL`);
        return n === 0;
      });
      const exported = await http()
        .get('/audit/export')
        .set(auth(auditor))
        .buffer(true)
        .parse((res, done) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString('utf8')));
          res.on('end', () => done(null, body));
        });
      expect(exported.status).toBe(200);
      expect(exported.headers['content-type']).toMatch(/application\/x-ndjson/);
      const text = exported.body as string;
      const rows = JSON.stringify(await owner.query(`SELECT to_jsonb(e) - 'hash' AS row FROM audit_entry e`));
      for (const s of subjects) {
        expect(text).not.toContain(s.number!);
        expect(rows).not.toContain(s.number!);
      }
      writeFileSync(join(dir, 'http-export.ndjson'), text);
      const cert = await http().get('/audit/certificate').set(auth(auditor));
      writeFileSync(join(dir, 'http-cert.pem'), cert.text);
      expect((await cliVerify(join(dir, 'http-export.ndjson'), join(dir, 'http-cert.pem'))).code).toBe(0);
    });

    itWithSessions('takes review sign-offs (201) and lists them', async () => {
      const [{ last }] = await owner.query(`SELECT max(seq)::int AS last FROM audit_entry`);
      const created = await http().post('/audit/reviews').set(auth(auditor)).send({ upToSeq: last, note: 'Quarterly review.' }).expect(201);
      expect(created.body).toMatchObject({ upToSeq: String(last), note: 'Quarterly review.' });
      await http().post('/audit/reviews').set(auth(auditor)).send({ upToSeq: last, note: 'number 1234 5678 9018' }).expect(400);
      const list = await http().get('/audit/reviews').set(auth(auditor)).expect(200);
      expect(list.body.items[0].id).toBe(created.body.id);
    });
  });
});
