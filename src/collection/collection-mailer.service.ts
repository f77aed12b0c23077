import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createTransport, Transporter } from 'nodemailer';
import { Env } from '@/config/env.schema';

const MAIL_TIMEOUT_MS = 10_000;

/** What a collection-link mail says: the greeting name, the company, the link and its expiry. Never a number. */
export interface LinkMail {
  to: string;
  greetingName: string;
  link: string;
  expiresAt: Date;
}

/** Formats a time in Japan time as 2026年4月15日 23:59 (the submitter's page and mail are Japanese first). */
export function japanTime(at: Date): string {
  const parts = new Intl.DateTimeFormat('ja-JP', {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);
  return parts;
}

/**
 * Sends collection links through SMTP_URL (nodemailer). The mail holds the link only: no number,
 * no person code, no name beyond the greeting.
 */
@Injectable()
export class CollectionMailerService {
  private readonly logger = new Logger(CollectionMailerService.name);
  private readonly mailer?: Transporter;
  private readonly from: string;
  private readonly company: string;

  constructor(config: ConfigService<Env, true>) {
    const smtp = config.get('SMTP_URL', { infer: true });
    this.from = config.get('COLLECTION_MAIL_FROM', { infer: true });
    this.company = config.get('COLLECTION_COMPANY_NAME', { infer: true });
    if (smtp) {
      this.mailer = createTransport({ url: smtp, connectionTimeout: MAIL_TIMEOUT_MS, greetingTimeout: MAIL_TIMEOUT_MS, socketTimeout: MAIL_TIMEOUT_MS });
    }
  }

  get enabled(): boolean {
    return !!this.mailer;
  }

  /** True when the SMTP server accepted the mail; failures are logged (no address, no link) and answered false. */
  async send(mail: LinkMail): Promise<boolean> {
    if (!this.mailer) return false;
    const expires = japanTime(mail.expiresAt);
    const text = [
      `${mail.greetingName} 様`,
      '',
      `${this.company} より、マイナンバー（個人番号）のご提出をお願いします。`,
      '次のリンクをスマートフォンで開き、画面の案内に従ってください（このリンクはあなた専用で、1回だけ使えます）。',
      '',
      mail.link,
      '',
      `有効期限: ${expires}`,
      '',
      'このメールに個人番号を書いて返信しないでください。',
      '',
      '---',
      `${this.company} asks you to hand in your My Number. Open the link above on your phone and follow the page (it is yours alone and works once; valid until ${mail.expiresAt.toISOString()}). Do not reply with your number.`,
    ].join('\n');
    try {
      await this.mailer.sendMail({
        from: this.from,
        to: mail.to,
        subject: `マイナンバーご提出のお願い（${this.company}）`,
        text,
      });
      return true;
    } catch (error) {
      this.logger.warn(`Collection link mail not sent: ${(error as Error)?.name ?? 'error'}`);
      return false;
    }
  }
}
