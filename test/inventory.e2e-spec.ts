import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/config/clock.service';
import { createTestApp, ownerConnection } from './support/app';
import { dropOwnDatabase, OWN_DATABASE, OWN_DATABASE_URL, prepareOwnDatabase } from './support/own-database';
import { signIn, SignedIn } from './support/staff';
import { createSubject } from './support/subjects';

/**
 * 特定個人情報ファイル管理台帳 (issue #19): generated from what the vault holds (numbers per kind
 * and purpose, who may see them, the separation-of-duties exception of #16, exports, retention),
 * plus the files kept outside the vault; printable as HTML. Own database: it counts everything.
 */
describe('file inventory (台帳)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clerk: SignedIn;
  let admin: SignedIn;
  let responsible: SignedIn;
  let auditor: SignedIn;
  let oneMan: SignedIn;
  const http = () => request(app.getHttpServer());
  const as = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });

  beforeAll(async () => {
    await prepareOwnDatabase();
    app = await createTestApp(OWN_DATABASE, { SOD_ONE_PERSON_COMPANY: true, INVENTORY_DEPARTMENT: '総務部' });
    owner = await ownerConnection(OWN_DATABASE_URL);
    app.get(ClockService).set(new Date('2026-12-10T10:00:00+09:00'));
    clerk = await signIn(app, ['clerk']);
    admin = await signIn(app, ['admin']);
    responsible = await signIn(app, ['responsible']);
    auditor = await signIn(app, ['auditor']);
    oneMan = await signIn(app, ['admin', 'clerk']);
  });

  afterAll(async () => {
    app?.get(ClockService).reset();
    await owner?.destroy();
    await app?.close();
    await dropOwnDatabase();
  });

  it('counts the numbers per kind and purpose, lists who may see them with the exception flag, and the exports made', async () => {
    const people = [await createSubject(app, clerk.token), await createSubject(app, clerk.token), await createSubject(app, clerk.token, { kind: 'payee' })];
    await createSubject(app, clerk.token, { number: null });
    await http()
      .post('/reveals')
      .set(as(clerk))
      .send({ purpose: 'withholding-slip', subjectIds: [people[0]!.id, people[1]!.id] })
      .expect(200);

    const inv = (await http().get('/inventory').set(as(responsible)).expect(200)).body;
    expect(inv).toMatchObject({ title: '特定個人情報ファイル管理台帳', department: '総務部' });
    expect(inv.basis).toMatch(/別添1/);
    expect(inv.responsible.map((r: { username: string }) => r.username)).toContain(responsible.username);
    const numbers = inv.files.find((f: { code: string }) => f.code === 'numbers');
    expect(numbers.people).toEqual({ employee: 2, payee: 1, total: 3 });
    const byCode = Object.fromEntries(numbers.purposes.map((p: { code: string; people: number }) => [p.code, p.people]));
    expect(byCode).toMatchObject({ 'withholding-slip': 2, 'payment-record': 1, 'health-pension': 0 });
    expect(numbers.purposes.find((p: { code: string }) => p.code === 'withholding-slip').basis).toMatch(/所得税法/);
    const mayReveal = numbers.access.mayReveal.map((a: { username: string }) => a.username);
    expect(mayReveal).toEqual(expect.arrayContaining([clerk.username, oneMan.username]));
    expect(mayReveal).not.toContain(auditor.username);
    expect(mayReveal).not.toContain(admin.username);
    expect(numbers.access.mayReveal.find((a: { username: string }) => a.username === oneMan.username).sodException).toBe('admin+clerk');
    expect(inv.sodExceptions).toEqual([{ username: oneMan.username, displayName: expect.any(String), exception: 'admin+clerk' }]);
    expect(numbers.retention.rules.length).toBeGreaterThan(3);
    expect(numbers.retention.rules.every((r: { basis: string }) => r.basis.length > 0)).toBe(true);
    expect(numbers.location.database).toMatch(/^PostgreSQL /);
    expect(numbers.location.database).not.toMatch(/@|postgres:\/\//);
    expect(numbers.encryption.keyVersions.reduce((n: number, k: { numbers: number }) => n + k.numbers, 0)).toBe(3);
    expect(numbers.disposal).toMatchObject({ disposed: 0 });
    const exports = inv.files.find((f: { code: string }) => f.code === 'exports');
    expect(exports.people['take-out']).toMatchObject({ exports: 1, rows: 2 });
    // the test database's name carries a timestamp: everything else must hold no number-like run
    expect(JSON.stringify(inv).replaceAll(numbers.location.database, '')).not.toMatch(/\d{12}/);

    // auditors read it; clerks do not
    await http().get('/inventory').set(as(auditor)).expect(200);
    await http().get('/inventory').set(as(clerk)).expect(403);
  });

  it('records files kept outside the vault, retires them, and prints the whole 台帳 as escaped HTML', async () => {
    const paper = {
      name: '扶養控除等申告書（紙）<script>',
      medium: 'paper',
      purposes: ['dependents-declaration'],
      items: '個人番号、氏名、生年月日、住所',
      department: '総務部',
      location: '本社2階 施錠キャビネット',
      access: '事務取扱担当者',
      retention: '提出期限の翌年1月10日から7年',
      disposalMethod: 'シュレッダー',
    };
    const created = await http().post('/inventory/other-files').set(as(admin)).send(paper).expect(201);
    expect(created.body).toMatchObject({ medium: 'paper', status: 'active', purposes: [{ code: 'dependents-declaration' }] });
    const unknown = await http()
      .post('/inventory/other-files')
      .set(as(admin))
      .send({ ...paper, purposes: ['no-such-purpose'] })
      .expect(400);
    expect(unknown.body.code).toBe('inventory.unknown-purpose');
    const numberLike = await http()
      .post('/inventory/other-files')
      .set(as(admin))
      .send({ ...paper, note: '見本 1234-5678-9012' })
      .expect(400);
    expect(numberLike.body.code).toBe('input.number-like');
    await http().post('/inventory/other-files').set(as(clerk)).send(paper).expect(403);
    const missing = await http().patch('/inventory/other-files/00000000-0000-4000-8000-000000000000').set(as(admin)).send({ status: 'retired' }).expect(404);
    expect(missing.body.code).toBe('inventory.file-not-found');

    const html = await http().get('/inventory').query({ format: 'html' }).set(as(auditor)).expect(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.text).toContain('<h1>特定個人情報ファイル管理台帳</h1>');
    expect(html.text).toContain('扶養控除等申告書（紙）&lt;script&gt;');
    expect(html.text).not.toContain('<script>');
    expect(html.text).toContain('個人番号ファイル');
    expect(html.text).toContain('職務分離の例外');
    expect(html.text).toContain(oneMan.username);

    const retired = await http().patch(`/inventory/other-files/${created.body.id}`).set(as(responsible)).send({ status: 'retired' }).expect(200);
    expect(retired.body.status).toBe('retired');
    expect((await http().get('/inventory').set(as(admin)).expect(200)).body.otherFiles).toEqual([]);
    const all = (await http().get('/inventory/other-files').query({ includeRetired: 'true' }).set(as(admin)).expect(200)).body.items;
    expect(all.map((f: { id: string }) => f.id)).toEqual([created.body.id]);
    const trail: { action: string }[] = await owner.query(`SELECT action FROM audit_entry WHERE action LIKE 'inventory.%' ORDER BY seq`);
    expect(trail.map((e) => e.action)).toEqual(['inventory.file-added', 'inventory.file-updated']);
  });
});
