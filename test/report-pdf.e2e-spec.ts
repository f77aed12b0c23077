import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { inflateSync } from 'node:zlib';
import { ClockService } from '../src/config/clock.service';
import { createTestApp } from './support/app';
import { signIn, SignedIn } from './support/staff';
import { createSubject } from './support/subjects';

/** Collects a response body as bytes (supertest leaves unknown types unparsed). */
const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** The characters a PDF can show: the Unicode targets of its fonts' ToUnicode maps (Chromium subsets fonts to the glyphs used). */
function charactersOf(pdf: Buffer): Set<string> {
  const chars = new Set<string>();
  const text = pdf.toString('latin1');
  const streams = /stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = streams.exec(text))) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0) break;
    let body: string;
    try {
      body = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue; // not a Flate stream (images, fonts with other filters)
    }
    const hex = (h: string) => String.fromCodePoint(...(h.match(/.{4}/g) ?? []).map((x) => parseInt(x, 16)));
    for (const block of body.match(/beginbfchar[\s\S]*?endbfchar/g) ?? []) {
      for (const [, dst] of block.matchAll(/<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]+)>/g)) for (const c of hex(dst!)) chars.add(c);
    }
    for (const block of body.match(/beginbfrange[\s\S]*?endbfrange/g) ?? []) {
      for (const [, lo, hi, dst] of block.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
        const first = parseInt(dst!, 16);
        for (let i = 0; i <= parseInt(hi!, 16) - parseInt(lo!, 16); i++) chars.add(String.fromCodePoint(first + i));
      }
    }
  }
  return chars;
}

/**
 * 取扱状況の確認 as a PDF made on the server (issue #19): Debian's Chromium renders the console's
 * report page with its Chart.js charts and prints it on A4; same roles as the HTML report; without
 * Chromium a 503 with its code and reason.
 */
describe('monthly report PDF (server-side Chromium)', () => {
  let app: INestApplication;
  let auditor: SignedIn;
  let responsible: SignedIn;
  let clerk: SignedIn;
  const http = () => request(app.getHttpServer());
  const as = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });

  beforeAll(async () => {
    app = await createTestApp();
    const clock = app.get(ClockService);
    clock.set(new Date('2026-10-14T10:00:00+09:00'));
    clerk = await signIn(app, ['clerk']);
    const person = await createSubject(app, clerk.token);
    await http().post(`/subjects/${person.id}/number/reveal`).set(as(clerk)).send({ purpose: 'withholding-slip' }).expect(200);
    clock.set(new Date('2026-11-02T09:30:00+09:00'));
    clerk = await signIn(app, ['clerk']); // the October session has expired by now
    auditor = await signIn(app, ['auditor']);
    responsible = await signIn(app, ['responsible']);
  });

  afterAll(async () => {
    app?.get(ClockService).reset();
    await app?.close();
  });

  it('prints the report with its charts and Japanese headings on A4, for the responsible person and auditors only', async () => {
    const started = Date.now();
    const res = await http().get('/reports/monthly/2026-10.pdf').set(as(auditor)).buffer(true).parse(binary).expect(200);
    const ms = Date.now() - started;
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('attachment; filename="monthly-report-2026-10.pdf"');
    expect(res.headers['cache-control']).toBe('no-store');
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const raw = pdf.toString('latin1');
    const pages = raw.match(/\/Type\s*\/Page(?![s\w])/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(1);
    for (const box of raw.match(/\/MediaBox \[[^\]]*\]/g) ?? []) expect(box).toMatch(/^\/MediaBox \[0 0 59[45]\.\d+ 841\.\d+\]$/);
    // the three charts: canvases print as images
    expect((raw.match(/\/Subtype\s*\/Image/g) ?? []).length).toBeGreaterThanOrEqual(3);
    // the heading 特定個人情報の取扱状況報告 and a section title are in the fonts the pages use
    const chars = charactersOf(pdf);
    for (const c of '特定個人情報の取扱状況報告担当者') expect([c, chars.has(c)]).toEqual([c, true]);
    console.log(`monthly report PDF: ${pdf.length} bytes, ${pages.length} page(s), ${ms} ms`);

    await http().get('/reports/monthly/2026-10.pdf').set(as(responsible)).expect(200);
    await http().get('/reports/monthly/2026-10.pdf').set(as(clerk)).expect(403);
    await http().get('/reports/monthly/2026-10.pdf').expect(401);
    const bad = await http().get('/reports/monthly/2026-13.pdf').set(as(auditor)).expect(400);
    expect(bad.body.code).toBe('report.bad-month');
  });

  it('without Chromium: 503 report.pdf-unavailable with the reason; the HTML report still works', async () => {
    const other = await createTestApp({ CHROMIUM_PATH: '/nonexistent/chromium' });
    try {
      const who = await signIn(other, ['auditor']);
      const res = await request(other.getHttpServer()).get('/reports/monthly/2026-10.pdf').set(as(who)).expect(503);
      expect(res.body).toMatchObject({ statusCode: 503, code: 'report.pdf-unavailable', message: expect.stringContaining('CHROMIUM_PATH') });
      await request(other.getHttpServer()).get('/reports/monthly/2026-10').set(as(who)).expect(200);
    } finally {
      await other.close();
    }
  });
});
