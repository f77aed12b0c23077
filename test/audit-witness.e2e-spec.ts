import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getDataSourceToken } from '@nestjs/typeorm';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { publicKeyOfCertificate } from '../src/audit/audit-chain';
import { AuditProofsService } from '../src/audit/audit-proofs.service';
import { AuditSealerService } from '../src/audit/audit-sealer.service';
import { parseTreeHead, treeHeadBytes, TreeHeadJson, treeHeadJson, verifyTreeHeadSignature } from '../src/audit/audit-tree-head';
import { latestReceipts, latestTreeHead } from '../src/audit/audit-tree.repository';
import { runAuditVerify } from '../src/audit/audit-verify.command';
import { AuditWitnessService } from '../src/audit/audit-witness.service';
import { AuditService } from '../src/audit/audit.service';
import { ClockService } from '../src/config/clock.service';
import { KeyringService } from '../src/crypto/keyring.service';
import { createTestApp } from './support/app';
import { dropOwnDatabase, OWN_DATABASE, prepareOwnDatabase } from './support/own-database';
import { LocalTsa, startLocalTsa } from './support/local-tsa';
import { signIn } from './support/staff';

/**
 * The witnesses that leave the machine (issue #17), each against a real receiver started here:
 * the webhook (an HTTP server receiving the JSON POSTs, failing once to show the retry), the
 * e-mail digest (an SMTP server, npm smtp-server, as test/collection-mail.e2e-spec.ts), and the
 * RFC 3161 timestamp of the daily head (a TSA made with `openssl ts`, test/support/local-tsa.ts):
 * stored with the head, written next to the witness files, carried by the export and checked
 * by the offline verifier and by `openssl ts -verify`.
 *
 * Each witness here is its own AuditWitnessService with only that witness configured, on the
 * app's real database, keyring and proofs; heads come from the app's sealer.
 */

const run = promisify(execFile);

interface Post {
  contentType: string | undefined;
  body: { event: string; head: TreeHeadJson };
  at: number;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('audit witnesses: webhook, e-mail digest, RFC 3161 timestamp', () => {
  let app: INestApplication;
  let dataSource: DataSource;
  let certPem: string;

  /** A witness service with only these settings (plus the ones every witness reads). */
  function witness(settings: Record<string, unknown>): AuditWitnessService {
    // every witness setting named: ConfigService falls back to process.env (global-setup sets AUDIT_WITNESS_DIR)
    const none = { AUDIT_WITNESS_DIR: '', AUDIT_WITNESS_WEBHOOK_URL: '', AUDIT_WITNESS_MAIL_TO: '', AUDIT_TSA_URL: '', SMTP_URL: '' };
    const config = new ConfigService({ ...none, AUDIT_WITNESS_INTERVAL_MS: 0, AUDIT_WITNESS_STALE_MINUTES: 60, ...settings });
    return new AuditWitnessService(dataSource, app.get(ClockService), app.get(KeyringService), config as never, app.get(AuditProofsService));
  }

  /** A new entry, sealed: the newest signed tree head. */
  async function freshHead(): Promise<TreeHeadJson> {
    await app.get(AuditService).record({
      action: 'number.revealed',
      outcome: 'success',
      actor: { userId: randomUUID(), username: 'witness-e2e', roles: ['clerk'] },
      subjectId: randomUUID(),
      purpose: 'withholding-slip',
    });
    await app.get(AuditSealerService).sealNow(30_000);
    const head = await latestTreeHead(dataSource);
    return treeHeadJson(head!, head!.certSha256);
  }

  beforeAll(async () => {
    // a trail and witness folder of its own: the tree sizes it compares must not move with other specs' entries
    await prepareOwnDatabase();
    app = await createTestApp(OWN_DATABASE, { AUDIT_WITNESS_DIR: mkdtempSync(join(tmpdir(), 'mnv-witness-e2e-')) });
    dataSource = app.get<DataSource>(getDataSourceToken());
    certPem = app.get(KeyringService).signingCertPem;
  });

  afterAll(async () => {
    await app?.close();
    await dropOwnDatabase();
  });

  describe('webhook', () => {
    let server: Server;
    const posts: Post[] = [];
    let failNext = 0;

    beforeAll(async () => {
      server = createServer((req, res) => {
        void readBody(req).then((text) => {
          if (failNext > 0) {
            failNext--;
            res.writeHead(500, { connection: 'close' }).end('down for maintenance');
            return;
          }
          posts.push({ contentType: req.headers['content-type'], body: JSON.parse(text), at: Date.now() });
          res.writeHead(204, { connection: 'close' }).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('POSTs each new head as JSON, and retries after a failure', async () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sth`;
      const hook = witness({ AUDIT_WITNESS_WEBHOOK_URL: url });
      expect(hook.configured).toEqual(['webhook']);

      const first = await freshHead();
      hook.offer(first);
      await hook.flush();
      expect(posts).toHaveLength(1);
      expect(posts[0]!.contentType).toBe('application/json');
      expect(posts[0]!.body).toEqual({ event: 'audit.tree-head', head: first });
      expect(verifyTreeHeadSignature(parseTreeHead(posts[0]!.body.head), publicKeyOfCertificate(certPem))).toBe(true);

      // the receiver fails once: the same head arrives on the retry, about a second later
      failNext = 1;
      const second = await freshHead();
      expect(second.treeSize).toBeGreaterThan(first.treeSize);
      const before = Date.now();
      hook.offer(second);
      await hook.flush();
      expect(failNext).toBe(0);
      expect(posts).toHaveLength(2);
      expect(posts[1]!.body.head).toEqual(second);
      expect(posts[1]!.at - before).toBeGreaterThanOrEqual(900);
      const receipt = (await latestReceipts(dataSource)).find((r) => r.witness === 'webhook');
      expect(receipt).toMatchObject({ treeSize: second.treeSize, rootHash: second.rootHash });
      expect((await hook.status()).witnesses).toEqual([expect.objectContaining({ witness: 'webhook', lastAcceptedSize: second.treeSize, stale: false })]);
    }, 120_000);
  });

  describe('e-mail digest', () => {
    let smtp: SMTPServer;
    const inbox: { to: string[]; raw: string }[] = [];

    beforeAll(async () => {
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
            callback();
          });
        },
      });
      await new Promise<void>((resolve, reject) => {
        smtp.once('error', reject);
        smtp.listen(0, '127.0.0.1', () => resolve());
      });
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    });

    it("mails the day's first head to the auditors, once a day", async () => {
      const port = (smtp.server.address() as AddressInfo).port;
      const mail = witness({ SMTP_URL: `smtp://127.0.0.1:${port}`, AUDIT_WITNESS_MAIL_TO: 'auditor1@example.com,auditor2@example.com' });
      expect(mail.configured).toEqual(['mail']);
      const head = await freshHead();
      mail.offer(head);
      await mail.flush();
      expect(inbox).toHaveLength(1);
      expect(inbox[0]!.to).toEqual(['auditor1@example.com', 'auditor2@example.com']);
      const unfolded = inbox[0]!.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      expect(unfolded).toMatch(new RegExp(`Subject: \\[mynumber-vault\\] audit tree head \\d{4}-\\d{2}-\\d{2}: ${head.treeSize} entries`));
      // the head in the mail is the signed head, whole: an auditor can verify it later
      const line = unfolded.split(/\r?\n/).find((l) => l.startsWith('{"format":"mynumber-vault-sth-v1"'));
      expect(JSON.parse(line!)).toEqual(head);
      expect(verifyTreeHeadSignature(parseTreeHead(JSON.parse(line!)), publicKeyOfCertificate(certPem))).toBe(true);

      // a later head the same day: no second mail (a daily digest)
      mail.offer(await freshHead());
      await mail.flush();
      expect(inbox).toHaveLength(1);
      expect((await latestReceipts(dataSource)).find((r) => r.witness === 'mail')).toMatchObject({ treeSize: head.treeSize });
    }, 120_000);
  });

  describe('RFC 3161 timestamp (AUDIT_TSA_URL)', () => {
    let tsa: LocalTsa;
    const dir = mkdtempSync(join(tmpdir(), 'mnv-witness-tsa-'));

    beforeAll(async () => {
      tsa = await startLocalTsa();
    }, 60_000);
    afterAll(async () => {
      await tsa?.close();
    });

    it("stamps the day's head (after a TSA outage, with the next head), keeps the token, and the offline verifier checks it", async () => {
      const witnessDir = join(dir, 'witness');
      const stamp = witness({ AUDIT_TSA_URL: tsa.url, AUDIT_WITNESS_DIR: witnessDir });
      expect(stamp.configured).toEqual(['directory', 'timestamp']);

      tsa.failNext(1); // the TSA is down: no token, tried again with the next head
      const first = await freshHead();
      stamp.offer(first);
      await stamp.flush();
      expect(tsa.requests).toBe(0);
      const second = await freshHead();
      stamp.offer(second);
      await stamp.flush();
      expect(tsa.requests).toBe(1);
      const rows = await dataSource.query(`SELECT tree_size::int AS size, token, tsa_url FROM audit_tree_head_timestamp WHERE tree_size = $1`, [
        second.treeSize,
      ]);
      expect(rows).toEqual([{ size: second.treeSize, token: expect.any(Buffer), tsa_url: tsa.url }]);
      // once a day: a third head is not stamped
      stamp.offer(await freshHead());
      await stamp.flush();
      expect(tsa.requests).toBe(1);

      // next to the witness files, checked by openssl alone
      const tst = readdirSync(witnessDir).find((f) => f.endsWith(`.${second.treeSize}.tst`));
      expect(tst).toMatch(/^sth-\d{4}-\d{2}-\d{2}\.\d+\.tst$/);
      writeFileSync(join(dir, 'sth.txt'), treeHeadBytes(parseTreeHead(second)));
      writeFileSync(join(dir, 'tsa-ca.pem'), tsa.caPem);
      const { stdout } = await run('openssl', [
        'ts',
        '-verify',
        '-token_in',
        '-in',
        join(witnessDir, tst!),
        '-data',
        join(dir, 'sth.txt'),
        '-CAfile',
        join(dir, 'tsa-ca.pem'),
      ]);
      expect(stdout).toMatch(/Verification: OK/);

      // the export carries it; the offline verifier checks it with the TSA's CA
      const auditor = await signIn(app, ['auditor']);
      await app.get(AuditSealerService).sealNow(30_000);
      const exported = (
        await request(app.getHttpServer())
          .get('/audit/export')
          .set({ Authorization: `Bearer ${auditor.token}` })
          .expect(200)
      ).text;
      expect(exported).toContain(`{"type":"treeHeadTimestamp","treeSize":${second.treeSize},"token":"`);
      writeFileSync(join(dir, 'export.ndjson'), exported);
      writeFileSync(join(dir, 'cert.pem'), certPem);
      const ok = new Capture();
      const code = await runAuditVerify(join(dir, 'export.ndjson'), { cert: join(dir, 'cert.pem'), tsaCa: join(dir, 'tsa-ca.pem') }, ok, ok);
      expect(ok.text).toMatch(new RegExp(`RFC 3161 timestamps: \\d+ verified with .*tree head \\d+ existed at \\d{4}-`));
      expect(code).toBe(0);

      // a TSA the auditor does not trust, or a timestamp moved to another head: not intact
      const stranger = await startLocalTsa();
      writeFileSync(join(dir, 'other-ca.pem'), stranger.caPem);
      await stranger.close();
      const untrusted = new Capture();
      expect(await runAuditVerify(join(dir, 'export.ndjson'), { cert: join(dir, 'cert.pem'), tsaCa: join(dir, 'other-ca.pem') }, untrusted, untrusted)).toBe(1);
      expect(untrusted.text).toMatch(/NOT INTACT: .*RFC 3161 timestamp of tree head \d+ .*not one you trust/);
      const moved = exported.replace(`{"type":"treeHeadTimestamp","treeSize":${second.treeSize},`, `{"type":"treeHeadTimestamp","treeSize":${first.treeSize},`);
      writeFileSync(join(dir, 'moved.ndjson'), moved);
      const wrong = new Capture();
      expect(await runAuditVerify(join(dir, 'moved.ndjson'), { cert: join(dir, 'cert.pem'), tsaCa: join(dir, 'tsa-ca.pem') }, wrong, wrong)).toBe(1);
      expect(wrong.text).toMatch(/NOT INTACT: .*timestamp of tree head \d+ .*message imprint/);
      // without --tsa-ca the timestamps are reported as not checked
      const plain = new Capture();
      expect(await runAuditVerify(join(dir, 'export.ndjson'), { cert: join(dir, 'cert.pem') }, plain, plain)).toBe(0);
      expect(plain.text).toMatch(/RFC 3161 timestamps: \d+ not checked/);
    }, 240_000);
  });
});
