import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AuditSearchService, MAX_SEARCH_MATCHES } from '../src/audit/audit-search.service';
import { createTestApp } from './support/app';
import { signIn, SignedIn } from './support/staff';
import { CARD_CHECK, fakeMyNumber, uniqueCode } from './support/subjects';

/**
 * Issue #22: an auditor answers "who saw 山田太郎's number?" by the person's name or code, sees
 * the actor and the person by name beside each entry, and gets a coded 400 for a bad filter.
 * The run's database is shared with other specs: every assertion is about this spec's own people.
 */
describe('audit log search by name (issue #22)', () => {
  let app: INestApplication;
  let clerk: SignedIn;
  let auditor: SignedIn;
  const http = () => request(app.getHttpServer());
  const as = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });
  /** A family name no other spec uses (katakana from random bytes), so a name search finds only ours. */
  const family = Array.from(randomBytes(6), (b) => String.fromCharCode(0x30a2 + (b % 80))).join('');
  const person = { id: '', code: uniqueCode('E'), name: `${family} 太郎`, kana: 'ケンサク タロウ' };
  const other = { id: '', code: uniqueCode('E'), name: `${family} 花子`, kana: 'ケンサク ハナコ' };

  beforeAll(async () => {
    app = await createTestApp();
    clerk = await signIn(app, ['clerk']);
    auditor = await signIn(app, ['auditor']);
    for (const p of [person, other]) {
      const created = await http().post('/subjects').set(as(clerk)).send({ kind: 'employee', code: p.code, name: p.name, nameKana: p.kana }).expect(201);
      p.id = created.body.id;
      await http()
        .put(`/subjects/${p.id}/purposes`)
        .set(as(clerk))
        .send({ purposes: ['withholding-slip'], notifiedAt: '2026-04-01T09:00:00+09:00' })
        .expect(200);
      await http().put(`/subjects/${p.id}/number`).set(as(clerk)).send({ number: fakeMyNumber(), identityCheck: CARD_CHECK }).expect(201);
    }
    await http().post(`/subjects/${person.id}/number/reveal`).set(as(clerk)).send({ purpose: 'withholding-slip' }).expect(200);
  });

  afterAll(async () => {
    await app?.close();
  });

  const entries = (query: Record<string, string>) => http().get('/audit/entries').query(query).set(as(auditor));

  it('finds the reveal of one person by the name without its space, with the actor and the person by name', async () => {
    const res = await entries({ person: `${family}太郎`, action: 'number.revealed' }).expect(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      action: 'number.revealed',
      outcome: 'success',
      purpose: 'withholding-slip',
      actorId: clerk.userId,
      actorUsername: clerk.username,
      actorName: 'Test clerk',
      subjectId: person.id,
      subject: { id: person.id, code: person.code, name: person.name, kind: 'employee' },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/\d{12}/);
  });

  it('matches part of the name, the kana or the code, and several actions at once', async () => {
    const byFamily = await entries({ person: family, action: 'number.stored,number.revealed', order: 'asc' }).expect(200);
    expect(byFamily.body.items.map((e: { action: string; subject: { code: string } }) => `${e.action} ${e.subject.code}`)).toEqual([
      `number.stored ${person.code}`,
      `number.stored ${other.code}`,
      `number.revealed ${person.code}`,
    ]);
    const byKana = await entries({ person: 'ケンサクハナコ', action: 'number.stored' }).expect(200);
    expect(byKana.body.items.map((e: { subjectId: string }) => e.subjectId)).toContain(other.id);
    expect(byKana.body.items.map((e: { subjectId: string }) => e.subjectId)).not.toContain(person.id);
    const byCode = await entries({ person: other.code.toUpperCase() }).expect(200);
    expect(new Set(byCode.body.items.map((e: { subjectId: string }) => e.subjectId))).toEqual(new Set([other.id]));
    const nobody = await entries({ person: `${family}次郎` }).expect(200);
    expect(nobody.body).toEqual({ items: [], nextCursor: null });
  });

  it('filters by the actor’s display name or part of the username, and by outcome', async () => {
    const byName = await entries({ actor: clerk.username.slice(0, 10), person: family, action: 'number.revealed' }).expect(200);
    expect(byName.body.items).toHaveLength(1);
    const refused = await entries({ person: family, outcome: 'refused' }).expect(200);
    expect(refused.body.items).toEqual([]);
    const success = await entries({ person: family, outcome: 'success', action: 'number.revealed' }).expect(200);
    expect(success.body.items).toHaveLength(1);
  });

  it('answers coded 400s for bad filters', async () => {
    const unknownAction = await entries({ action: 'number.peeked' }).expect(400);
    expect(unknownAction.body).toMatchObject({ code: 'validation.failed', fields: [expect.objectContaining({ field: 'action' })] });
    const badOutcome = await entries({ outcome: 'maybe' }).expect(400);
    expect(badOutcome.body).toMatchObject({ code: 'validation.failed', fields: [expect.objectContaining({ field: 'outcome' })] });
    const reversed = await entries({ from: '2026-05-01T00:00:00+09:00', to: '2026-04-01T00:00:00+09:00' }).expect(400);
    expect(reversed.body.code).toBe('audit.range-reversed');
    const numberLike = await entries({ person: '1234 5678 9018' }).expect(400);
    expect(numberLike.body.code).toBe('input.number-like');
    const badSubject = await entries({ subject: 'yamada' }).expect(400);
    expect(badSubject.body.code).toBe('validation.failed');
    const tooLong = await entries({ person: 'あ'.repeat(101) }).expect(400);
    expect(tooLong.body.code).toBe('validation.failed');
  });

  it('refuses a person search matching too many people (audit.search-too-broad)', async () => {
    const search = app.get(AuditSearchService);
    search.maxMatches = 1; // the two people of this spec share the family name
    try {
      const res = await entries({ person: family }).expect(400);
      expect(res.body).toMatchObject({ code: 'audit.search-too-broad', params: { field: 'person', max: 1 } });
      await entries({ person: `${family}太郎` }).expect(200);
    } finally {
      search.maxMatches = MAX_SEARCH_MATCHES;
    }
  });
});
