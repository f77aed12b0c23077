import { INestApplication } from '@nestjs/common';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { createTestApp, SettingsOverrides } from './support/app';
import { signIn, SignedIn } from './support/staff';
import { createSubject } from './support/subjects';

// A real SMTP receiver (npm smtp-server) on a port chosen here, named by SMTP_URL in the settings.
const SMTP_PORT = 41000 + Math.floor(Math.random() * 9000);
/** This spec's own settings, on top of the run's (the app is built from them). */
const SETTINGS: SettingsOverrides = {
  SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`,
  COLLECTION_COMPANY_NAME: '見本株式会社',
};

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** The text body of a simple (single-part) mail, transfer encoding undone. */
function bodyText(raw: string): string {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split);
  const body = raw.slice(split + 4);
  const encoding = /content-transfer-encoding:\s*([^\r\n;]+)/i.exec(headers)?.[1]!.trim().toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

describe('collection links by e-mail (issue #15)', () => {
  let app: INestApplication;
  let smtp: SMTPServer;
  let clerk: SignedIn;
  const inbox: ReceivedMail[] = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          inbox.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      smtp.once('error', reject);
      smtp.listen(SMTP_PORT, '127.0.0.1', () => resolve());
    });
    app = await createTestApp(SETTINGS);
    clerk = await signIn(app, ['clerk']);
  });

  afterAll(async () => {
    await app?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  it('mails the link only: it opens the page, and the mail holds no number, no person code, no name beyond the greeting', async () => {
    const person = await createSubject(app, clerk.token, {});
    const employee = await createSubject(app, clerk.token, { number: null, purposes: [] });
    const res = await http()
      .post('/collection/requests')
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ subjectIds: [employee.id], recipients: [{ subjectId: employee.id, email: 'taro@example.test' }] })
      .expect(201);
    expect(res.body.items[0].mailed).toBe(true);
    expect(person.number).toMatch(/^\d{12}$/);
    expect(inbox).toHaveLength(1);
    const mail = inbox[0];
    expect(mail!.to).toEqual(['taro@example.test']);
    const text = bodyText(mail!.raw);
    expect(text.startsWith('試験 太郎 様')).toBe(true);
    expect(text).toContain('見本株式会社');
    const link = /http:\/\/127\.0\.0\.1:3000\/collect#([A-Za-z0-9_-]{43})/.exec(text);
    expect(link?.[0]).toBe(res.body.items[0].link);
    // no 12-digit run anywhere (raw or decoded), no person code, the name only once (the greeting)
    for (const t of [mail!.raw, text]) {
      expect(t).not.toMatch(/\d{12}/);
      expect(t.replace(/[\s-]/g, '')).not.toMatch(/\d{12}/);
      expect(t).not.toContain(employee.code);
      expect(t).not.toContain(person.number!);
    }
    expect(text.split('試験 太郎').length - 1).toBe(1);
    // the link from the mail works
    const page = await http().post('/collect/link').set('X-Collection-Token', link![1]!).expect(200);
    expect(page.body.greetingName).toBe('試験 太郎');

    // reissue by mail: a new link, the old one stops working
    const reissued = await http()
      .post(`/collection/requests/${res.body.items[0].id}/reissue`)
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ email: 'taro@example.test' })
      .expect(200);
    expect(reissued.body.mailed).toBe(true);
    expect(inbox).toHaveLength(2);
    const second = /collect#([A-Za-z0-9_-]{43})/.exec(bodyText(inbox[1]!.raw))![1]!;
    expect(second).not.toBe(link![1]);
    await http().post('/collect/link').set('X-Collection-Token', link![1]!).expect(404);
    await http().post('/collect/link').set('X-Collection-Token', second).expect(200);
  });
});
