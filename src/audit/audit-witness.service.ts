import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { createTransport, Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';
import { KeyringService } from '@/crypto/keyring.service';
import { publicKeyOfCertificate } from './audit-chain';
import { describeHead, parseTreeHead, TreeHead, TreeHeadJson, treeHeadBytes } from './audit-tree-head';
import { AuditProofsService } from './audit-proofs.service';
import { verifyConsistency } from './merkle';
import { insertTreeHeadTimestamp, insertWitnessReceipt, latestReceipts, WitnessReceipt } from './audit-tree.repository';
import { requestTimestamp } from './timestamp';
import { appendWitnessHead, scanWitnessDirectory, WitnessedHead, writeWitnessTimestamp } from './witness-directory';

const WEBHOOK_TIMEOUT_MS = 5000;
/** Delays between webhook attempts: three retries after the first try. */
export const WEBHOOK_RETRY_DELAYS_MS = [1000, 4000, 15000];

export type WitnessName = 'directory' | 'webhook' | 'mail' | 'timestamp';

export interface WitnessStatus {
  witness: WitnessName;
  lastAcceptedAt: string | null;
  lastAcceptedSize: number | null;
  /** Seconds since it last accepted a head (null: never). */
  ageSeconds: number | null;
  /** True when it has not accepted a head for longer than AUDIT_WITNESS_STALE_MINUTES. */
  stale: boolean;
}

/**
 * Tree heads leave the database: each signed tree head the sealer writes is offered here, and
 * the newest one goes to every configured witness at most once per AUDIT_WITNESS_INTERVAL_MS:
 *
 * - directory (AUDIT_WITNESS_DIR): appended and fsync'd, one file a day (witness-directory.ts);
 * - webhook (AUDIT_WITNESS_WEBHOOK_URL): JSON POST `{event: 'audit.tree-head', head}`, retried;
 * - e-mail (AUDIT_WITNESS_MAIL_TO through SMTP_URL): one digest a day with that day's first
 *   head offered after midnight UTC (so each mail pins the trail as of that moment);
 * - RFC 3161 timestamp (AUDIT_TSA_URL): the same daily head stamped by a timestamp authority,
 *   the token kept with the head (audit_tree_head_timestamp, exports, and the witness directory
 *   as `sth-YYYY-MM-DD.<size>.tst`); retried with each later head until one succeeds that day.
 *
 * Each acceptance is noted in audit_witness_receipt for the auditor console; verification never
 * trusts those rows, it reads the witness (the directory, or a head the auditor gives).
 * Failures are logged, never thrown: sealing must not stop because a witness is down; the
 * console shows a witness that has stopped accepting.
 */
@Injectable()
export class AuditWitnessService implements OnModuleDestroy {
  private readonly logger = new Logger(AuditWitnessService.name);
  readonly directory?: string;
  private readonly webhookUrl?: string;
  private readonly mailTo?: string;
  private readonly mailFrom: string;
  private readonly mailer?: Transporter;
  private readonly intervalMs: number;
  private readonly staleMinutes: number;
  private latest: TreeHeadJson | null = null;
  private publishedSize = 0;
  private lastPublishAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private webhookInFlight: Promise<void> | null = null;
  private webhookNext: TreeHeadJson | null = null;
  private mailedDay: string | null = null;
  private readonly tsaUrl?: string;
  private stampedDay: string | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: ClockService,
    private readonly keyring: KeyringService,
    config: ConfigService<Env, true>,
    private readonly proofs: AuditProofsService,
  ) {
    this.directory = config.get('AUDIT_WITNESS_DIR', { infer: true }) || undefined;
    this.webhookUrl = config.get('AUDIT_WITNESS_WEBHOOK_URL', { infer: true }) || undefined;
    this.mailTo = config.get('AUDIT_WITNESS_MAIL_TO', { infer: true }) || undefined;
    this.mailFrom = config.get('ALARM_MAIL_FROM', { infer: true }) ?? 'mynumber-vault@example.invalid';
    const smtp = config.get('SMTP_URL', { infer: true });
    if (smtp && this.mailTo) {
      this.mailer = createTransport({
        url: smtp,
        connectionTimeout: WEBHOOK_TIMEOUT_MS,
        greetingTimeout: WEBHOOK_TIMEOUT_MS,
        socketTimeout: WEBHOOK_TIMEOUT_MS,
      });
    }
    this.tsaUrl = config.get('AUDIT_TSA_URL', { infer: true }) || undefined;
    this.intervalMs = config.get('AUDIT_WITNESS_INTERVAL_MS', { infer: true }) ?? 10_000;
    this.staleMinutes = config.get('AUDIT_WITNESS_STALE_MINUTES', { infer: true }) ?? 60;
  }

  /** The witnesses configured, in a fixed order. */
  get configured(): WitnessName[] {
    return [
      ...(this.directory ? (['directory'] as const) : []),
      ...(this.webhookUrl ? (['webhook'] as const) : []),
      ...(this.mailer ? (['mail'] as const) : []),
      ...(this.tsaUrl ? (['timestamp'] as const) : []),
    ];
  }

  /** A new signed tree head (called by the sealer after its round committed). */
  offer(head: TreeHeadJson): void {
    if (this.configured.length === 0) return;
    if (!this.latest || head.treeSize > this.latest.treeSize) this.latest = head;
    if (this.timer || this.running) return;
    const wait = Math.max(0, this.lastPublishAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => void this.publish(), wait);
    this.timer.unref();
  }

  /** Publishes the newest head now and waits for the directory and any webhook delivery in flight (tests, shutdown). */
  async flush(): Promise<void> {
    if (this.running) await this.running;
    await this.publish();
    while (this.webhookInFlight) await this.webhookInFlight;
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.publish().catch(() => undefined);
  }

  private publish(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) return this.running;
    const head = this.latest;
    if (!head || head.treeSize <= this.publishedSize) return Promise.resolve();
    this.running = (async () => {
      try {
        this.publishedSize = head.treeSize;
        this.lastPublishAt = Date.now();
        await this.toDirectory(head);
        this.toWebhook(head);
        await this.toMail(head);
        await this.toTimestamp(head);
      } finally {
        this.running = null;
        if (this.latest && this.latest.treeSize > this.publishedSize) this.offer(this.latest);
      }
    })();
    return this.running;
  }

  /**
   * Like a CT witness, the directory only takes a head that extends the one it holds: same size
   * and root, or larger with a consistency proof (RFC 9162) from the database that verifies.
   * A trail that was cut or rolled back therefore never gets its heads witnessed.
   */
  private async toDirectory(head: TreeHeadJson): Promise<void> {
    if (!this.directory) return;
    try {
      const next = parseTreeHead(head);
      const held = this.latestWitnessedHead(); // read again each time: another instance may have appended
      if (held) {
        const refusal = await this.refusal(held, next);
        if (refusal === 'same') return;
        if (refusal) {
          this.logger.error(`Witness directory refused tree head ${describeHead(next)}: ${refusal}. Run POST /audit/verify.`);
          return;
        }
      }
      appendWitnessHead(this.directory, head, this.clock.now());
      await this.receipt('directory', head);
    } catch (error) {
      this.logger.error(`Witness directory did not accept tree head ${head.treeSize}: ${(error as Error).message}`);
    }
  }

  /** Latest wins: while one delivery (with its retries) runs, only the newest head waits behind it. */
  private toWebhook(head: TreeHeadJson): void {
    if (!this.webhookUrl) return;
    if (this.webhookInFlight) {
      this.webhookNext = head;
      return;
    }
    this.webhookInFlight = (async () => {
      let next: TreeHeadJson | null = head;
      while (next) {
        const sending: TreeHeadJson = next;
        this.webhookNext = null;
        await this.deliverWebhook(sending);
        next = this.webhookNext;
      }
    })().finally(() => {
      this.webhookInFlight = null;
    });
  }

  private async deliverWebhook(head: TreeHeadJson): Promise<void> {
    const body = JSON.stringify({ event: 'audit.tree-head', head });
    for (let attempt = 0; ; attempt++) {
      let problem: string;
      try {
        const res = await fetch(this.webhookUrl!, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          await this.receipt('webhook', head);
          return;
        }
        problem = `answered ${res.status}`;
      } catch (error) {
        problem = (error as Error).message;
      }
      if (attempt >= WEBHOOK_RETRY_DELAYS_MS.length) {
        this.logger.warn(`Witness webhook did not accept tree head ${head.treeSize} after ${attempt + 1} attempts: ${problem}`);
        return;
      }
      await new Promise((r) => setTimeout(r, WEBHOOK_RETRY_DELAYS_MS[attempt]).unref());
    }
  }

  private async toMail(head: TreeHeadJson): Promise<void> {
    if (!this.mailer || !this.mailTo) return;
    const day = this.clock.now().toISOString().slice(0, 10);
    if (this.mailedDay === day) return;
    const seen = (await latestReceipts(this.dataSource).catch(() => [])).find((r) => r.witness === 'mail');
    if (seen && seen.acceptedAt.toISOString().slice(0, 10) === day) {
      this.mailedDay = day; // another instance mailed today's digest
      return;
    }
    try {
      await this.mailer.sendMail({
        from: this.mailFrom,
        to: this.mailTo,
        subject: `[mynumber-vault] audit tree head ${day}: ${head.treeSize} entries`,
        text: [
          `The audit trail's signed tree head as of ${head.at}:`,
          '',
          JSON.stringify(head),
          '',
          'Keep this mail. It pins the trail: a later trail that is smaller, or not an extension of this one,',
          'fails verification naming this head (docs/audit.md). To check it later:',
          '  POST /audit/verify {"head": <the JSON line above>}   or',
          '  npm run cli -- audit:verify export.ndjson --cert cert.pem --head head.json',
          '',
          'This message carries no personal data.',
        ].join('\n'),
      });
      this.mailedDay = day;
      await this.receipt('mail', head);
    } catch (error) {
      this.logger.warn(`Witness e-mail failed: ${(error as Error).message}`);
    }
  }

  /** The day's first head, stamped by the timestamp authority (RFC 3161); a failure is retried with the next head. */
  private async toTimestamp(head: TreeHeadJson): Promise<void> {
    if (!this.tsaUrl) return;
    const day = this.clock.now().toISOString().slice(0, 10);
    if (this.stampedDay === day) return;
    const seen = (await latestReceipts(this.dataSource).catch(() => [])).find((r) => r.witness === 'timestamp');
    if (seen && seen.acceptedAt.toISOString().slice(0, 10) === day) {
      this.stampedDay = day; // another instance stamped today's head
      return;
    }
    try {
      const parsed = parseTreeHead(head);
      const { token, info } = await requestTimestamp(this.tsaUrl, treeHeadBytes(parsed));
      await insertTreeHeadTimestamp(this.dataSource, parsed.treeSize, token, new Date(info.genTime), this.tsaUrl);
      if (this.directory) writeWitnessTimestamp(this.directory, parsed.treeSize, token, this.clock.now());
      this.stampedDay = day;
      await this.receipt('timestamp', head);
    } catch (error) {
      this.logger.warn(`RFC 3161 timestamp of tree head ${head.treeSize} failed (tried again with the next head): ${(error as Error).message}`);
    }
  }

  /** Why `next` may not follow `held` (null: it may; 'same': already witnessed). */
  private async refusal(held: TreeHead, next: TreeHead): Promise<string | null> {
    const ours = `the witnessed head (${describeHead(held)})`;
    if (next.treeSize < held.treeSize) return `it is smaller than ${ours}: the trail was cut or rolled back`;
    if (next.treeSize === held.treeSize) return next.rootHash.equals(held.rootHash) ? 'same' : `its root differs from ${ours}`;
    const proof = await this.proofs.consistencyPath(this.dataSource, held.treeSize, next.treeSize).catch(() => null);
    if (!proof || !verifyConsistency(held.treeSize, next.treeSize, held.rootHash, next.rootHash, proof)) {
      return `it is not an extension of ${ours}`;
    }
    return null;
  }

  private async receipt(witness: WitnessName, head: TreeHeadJson): Promise<void> {
    await insertWitnessReceipt(this.dataSource, witness, parseTreeHead(head), this.clock.now()).catch((error) =>
      this.logger.warn(`Could not note the ${witness} witness receipt: ${(error as Error).message}`),
    );
  }

  /** The newest head in the witness directory whose signature verifies, or null (none configured or none yet). */
  latestWitnessedHead(certPem = this.keyring.signingCertPem): WitnessedHead | null {
    if (!this.directory) return null;
    return scanWitnessDirectory(this.directory, publicKeyOfCertificate(certPem)).latest;
  }

  /** Per configured witness: when it last accepted a head, and whether that is too long ago. */
  async status(): Promise<{ staleAfterMinutes: number; witnesses: WitnessStatus[] }> {
    const receipts = await latestReceipts(this.dataSource);
    const now = this.clock.now().getTime();
    const byName = new Map<string, WitnessReceipt>(receipts.map((r) => [r.witness, r]));
    const witnesses = this.configured.map((witness): WitnessStatus => {
      const r = byName.get(witness);
      const ageSeconds = r ? Math.max(0, Math.round((now - r.acceptedAt.getTime()) / 1000)) : null;
      const daily = witness === 'mail' || witness === 'timestamp';
      const limit = (daily ? 24 * 60 + this.staleMinutes : this.staleMinutes) * 60;
      return {
        witness,
        lastAcceptedAt: r ? r.acceptedAt.toISOString() : null,
        lastAcceptedSize: r ? r.treeSize : null,
        ageSeconds,
        stale: ageSeconds === null || ageSeconds > limit,
      };
    });
    return { staleAfterMinutes: this.staleMinutes, witnesses };
  }
}
