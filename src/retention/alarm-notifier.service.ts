import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createTransport, Transporter } from 'nodemailer';
import { ClockService } from '@/config/clock.service';
import { Env } from '@/config/env.schema';

/** What a notification carries: counts and a link. Never a number, a name or a code. */
export interface AlarmNotice {
  event: 'disposal-alarms.opened';
  /** Alarms opened (or reopened after a postponement) since the last notice. */
  opened: number;
  /** Alarms open in total now. */
  open: number;
  inbox: string;
  at: string;
}

/** A breach deadline approaches (issue #19): which report, by when, and the register's link. Never a name or a number. */
export interface BreachAlarmNotice {
  event: 'breach-deadline.alarm';
  incidentId: string;
  report: 'preliminary' | 'final';
  dueAt: string;
  register: string;
  at: string;
}

const NOTIFY_TIMEOUT_MS = 5000;
/** Alarms opened within this window go out in one notice (one job per person would otherwise mean one mail each). */
const COALESCE_MS = 2000;

/**
 * Tells the responsible person that disposal alarms opened: a webhook (POST JSON) and/or an
 * e-mail through SMTP_URL to ALARM_MAIL_TO. Failures are logged, never thrown: the inbox is the
 * record, the notice only a nudge.
 */
@Injectable()
export class AlarmNotifierService implements OnModuleDestroy {
  private readonly logger = new Logger(AlarmNotifierService.name);
  private readonly webhookUrl?: string;
  private readonly mailTo?: string;
  private readonly mailFrom: string;
  private readonly inboxUrl: string;
  private readonly mailer?: Transporter;
  private pending = 0;
  private timer: NodeJS.Timeout | null = null;
  private countOpen: () => Promise<number> = async () => 0;

  constructor(
    config: ConfigService<Env, true>,
    private readonly clock: ClockService,
  ) {
    this.webhookUrl = config.get('ALARM_WEBHOOK_URL', { infer: true });
    this.mailTo = config.get('ALARM_MAIL_TO', { infer: true });
    this.mailFrom = config.get('ALARM_MAIL_FROM', { infer: true });
    const smtp = config.get('SMTP_URL', { infer: true });
    if (smtp && this.mailTo) {
      this.mailer = createTransport({ url: smtp, connectionTimeout: NOTIFY_TIMEOUT_MS, greetingTimeout: NOTIFY_TIMEOUT_MS, socketTimeout: NOTIFY_TIMEOUT_MS });
    }
    this.inboxUrl = new URL('/retention/alarms?status=open', config.get('PUBLIC_BASE_URL', { infer: true })).toString();
  }

  get enabled(): boolean {
    return !!(this.webhookUrl || this.mailer);
  }

  /** The alarms service supplies the open count (kept out of the constructor to avoid a cycle). */
  useOpenCounter(counter: () => Promise<number>): void {
    this.countOpen = counter;
  }

  /** Alarms opened: send one notice for everything opened within a short window. */
  alarmsOpened(count: number): void {
    if (!this.enabled || count <= 0) return;
    this.pending += count;
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), COALESCE_MS);
      this.timer.unref();
    }
  }

  /** Sends what is pending now (tests call it instead of waiting). */
  async flush(): Promise<AlarmNotice | null> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const opened = this.pending;
    this.pending = 0;
    if (opened === 0) return null;
    const notice: AlarmNotice = {
      event: 'disposal-alarms.opened',
      opened,
      open: await this.countOpen().catch(() => opened),
      inbox: this.inboxUrl,
      at: this.clock.now().toISOString(),
    };
    await Promise.all([this.postWebhook(notice), this.sendMail(notice)]);
    return notice;
  }

  /** A breach-report deadline alarm opened (漏えい等報告, issue #19): sent at once, not coalesced. */
  async breachAlarm(notice: Omit<BreachAlarmNotice, 'event' | 'register' | 'at'>): Promise<BreachAlarmNotice> {
    const full: BreachAlarmNotice = {
      event: 'breach-deadline.alarm',
      ...notice,
      register: new URL(`/breaches/${notice.incidentId}`, this.inboxUrl).toString(),
      at: this.clock.now().toISOString(),
    };
    const label = notice.report === 'preliminary' ? '速報 (preliminary report)' : '確報 (final report)';
    await Promise.all([
      this.postJson(full),
      this.mail(`[mynumber-vault] breach report deadline: ${label} due ${notice.dueAt}`, [
        `The ${label} of a breach (漏えい等報告, 番号法29条の4) to the Personal Information Protection Commission is due by ${notice.dueAt}.`,
        `Record it in the breach register once sent: ${full.register}`,
        '',
        'This message carries no personal data.',
      ]),
    ]);
    return full;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush().catch(() => undefined);
  }

  private postWebhook(notice: AlarmNotice): Promise<void> {
    return this.postJson(notice);
  }

  private async postJson(notice: object): Promise<void> {
    if (!this.webhookUrl) return;
    try {
      const res = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(notice),
        signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
      });
      if (!res.ok) this.logger.warn(`Alarm webhook answered ${res.status}`);
    } catch (error) {
      this.logger.warn(`Alarm webhook failed: ${(error as Error).message}`);
    }
  }

  private sendMail(notice: AlarmNotice): Promise<void> {
    return this.mail(`[mynumber-vault] ${notice.opened} disposal alarm(s) opened, ${notice.open} open`, [
      `${notice.opened} disposal alarm(s) opened; ${notice.open} are open in total.`,
      'Numbers whose retention period has ended must be disposed of as soon as practicable (特定個人情報ガイドライン).',
      `Review them in the inbox: ${notice.inbox}`,
      '',
      'This message carries no personal data.',
    ]);
  }

  private async mail(subject: string, lines: string[]): Promise<void> {
    if (!this.mailer || !this.mailTo) return;
    try {
      await this.mailer.sendMail({ from: this.mailFrom, to: this.mailTo, subject, text: lines.join('\n') });
    } catch (error) {
      this.logger.warn(`Alarm e-mail failed: ${(error as Error).message}`);
    }
  }
}
