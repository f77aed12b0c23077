import { INestApplication } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { ERROR_CODES } from '../src/common/http/error-codes';
import { ClockService } from '../src/config/clock.service';
import { createTestApp } from './support/app';
import { BAD_INPUT_SETTINGS } from './support/bad-input-env';
import { signIn, SignedIn } from './support/staff';
import { createSubject, fakeMyNumber } from './support/subjects';

/**
 * A corpus of bad inputs sent to every route of the OpenAPI document (so a new route is covered
 * without touching this file): malformed JSON, wrong types, huge bodies, unicode tricks, SQL and
 * script fragments, My Numbers with a wrong check digit, path traversal in ids, expired, revoked
 * and forged tokens. Every answer must be a 4xx (never a 5xx, never a hang) and no answer may
 * contain a run of 12 digits that was in the input.
 */

/** A valid-looking number whose check digit is wrong. */
function wrongCheckDigit(): string {
  const good = fakeMyNumber();
  return good.slice(0, 11) + String((Number(good[11]) + 1 + Math.floor(Math.random() * 8)) % 10);
}

const NUMBERS_WRONG = Array.from({ length: 12 }, wrongCheckDigit);

const BAD_STRINGS: string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  "' OR '1'='1",
  "'; DROP TABLE audit_entry; --",
  '1; SELECT pg_sleep(5)',
  "' UNION SELECT ciphertext FROM subject_number --",
  '$1',
  '%',
  '_%_',
  '\\',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{{7*7}}',
  '${process.exit(1)}',
  '%s%s%s%n',
  '=cmd|" /C calc"!A0',
  '+SUM(1,1)',
  '@SUM(1,1)',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  'file:///etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  '\r\nSet-Cookie: x=1',
  '\u202Egnp.exe',
  '\u200B\u200C\u200D\uFEFF',
  'ＡＤＭＩＮ',
  'ﬀ',
  'e\u0301\u0301\u0301\u0301\u0301\u0301\u0301',
  '\uD800',
  '\uDFFF\uD800',
  '😀'.repeat(200),
  '🏳️‍🌈',
  'null',
  'undefined',
  'NaN',
  'true',
  '-1',
  '1e309',
  '0x1F',
  '2026-02-30',
  '2026-13-01T25:61:61Z',
  '9999-12-31T23:59:59+99:00',
  '0000-00-00',
  '-271821-04-19',
  '__proto__',
  'constructor',
  'a'.repeat(300),
  'x'.repeat(70_000),
  '1'.repeat(5000),
  '１２３４５６７８９０１２',
  '1234-5678-9012',
  '123456789012',
  '000000000000',
  '99999999999999999999',
  ...NUMBERS_WRONG,
  ...NUMBERS_WRONG.slice(0, 4).map((n) => `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8)}`),
  ...NUMBERS_WRONG.slice(4, 8).map((n) => n.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))),
  'my number is ' + NUMBERS_WRONG[8],
  'withholding-slip\u0000',
  'withholding-slip ',
  'WITHHOLDING-SLIP',
  'withholding‐slip',
  'marketing',
  "admin'--",
  "1' AND SLEEP(5)#",
  '" OR ""="',
  "'; COPY subject_number TO '/tmp/x'; --",
  '/**/UNION/**/SELECT/**/1',
  'SELECT * FROM staff_user',
  "\\'; EXEC xp_cmdshell('dir'); --",
  '<svg/onload=alert(1)>',
  '<iframe src="javascript:alert(1)">',
  "'-alert(1)-'",
  '</script><script>alert(1)</script>',
  '<!--#exec cmd="ls"-->',
  '; ls -la',
  '| cat /etc/passwd',
  '`id`',
  '$(id)',
  '{"$where":"sleep(1000)"}',
  'аdmin', // Cyrillic a
  'ᴀᴅᴍɪɴ',
  '\u0130stanbul',
  '\u00DF'.repeat(50),
  '\u0000'.repeat(10),
  '\u0007\u0008\u001B[31m',
  '\t\n\r\u000B\u000C',
  '\u2028\u2029',
  '\uFFFD\uFFFF',
  '個人番号' + NUMBERS_WRONG[0],
  '〇一二三四五六七八九〇一',
  '１２３４－５６７８－９０１３',
  '1234 5678 9013 ',
  '+81 ' + NUMBERS_WRONG[1],
  NUMBERS_WRONG[2]! + NUMBERS_WRONG[3]!,
  NUMBERS_WRONG[4]!.slice(0, 11),
  NUMBERS_WRONG[5] + '0',
  '2026-04-01T09:00:00',
  '2026-04-01 09:00',
  '1970-01-01',
  '+275760-09-13',
];

const BAD_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  Number.MAX_SAFE_INTEGER + 2,
  -1e308,
  Number(NUMBERS_WRONG[9]),
  [],
  [null],
  ['a', 1, null, {}],
  Array.from({ length: 2000 }, () => NUMBERS_WRONG[10]),
  {},
  { $ne: null },
  { $gt: '' },
  { __proto__: { admin: true } },
  JSON.parse('{"__proto__":{"polluted":true}}'),
  { constructor: { prototype: { polluted: true } } },
  { toString: 'x' },
  { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1 } } } } } } } } } },
  [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]],
  randomUUID(),
  [randomUUID(), randomUUID()],
  { number: NUMBERS_WRONG[11] },
];

/** Sent as raw bytes with a JSON content type (or the type given). */
const RAW_BODIES: { body: string | Buffer; type?: string }[] = [
  { body: '{' },
  { body: '{"a":' },
  { body: '{"a":1,}' },
  { body: "{'a':1}" },
  { body: '{"a":1}}' },
  { body: '{"a" 1}' },
  { body: 'undefined' },
  { body: 'NaN' },
  { body: '"just a string"' },
  { body: '42' },
  { body: 'null' },
  { body: '[]' },
  { body: `{"number":${NUMBERS_WRONG[0]}}` },
  { body: `{"number":"${NUMBERS_WRONG[1]}"` },
  { body: `${NUMBERS_WRONG[2]}` },
  { body: '\uFEFF{"a":1}' },
  { body: '{"a":"\\ud800"}' },
  { body: '{"a":"\\u0000"}' },
  { body: '{"a":1e999999}' },
  { body: '{"a":' + '9'.repeat(400) + '}' },
  { body: '['.repeat(100_000) + ']'.repeat(100_000) },
  { body: '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000) },
  { body: JSON.stringify({ a: 'x'.repeat(300_000) }) },
  { body: JSON.stringify({ number: NUMBERS_WRONG[3], pad: '1'.repeat(2_000_000) }) },
  { body: Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]) },
  { body: Buffer.from([0xc3, 0x28, 0xa0, 0xa1]) },
  { body: Buffer.from('{"a":1}', 'utf16le'), type: 'application/json; charset=utf-16' },
  { body: '{"a":1}', type: 'application/json; charset=ebcdic' },
  { body: 'a=1&number=' + NUMBERS_WRONG[4], type: 'application/x-www-form-urlencoded' },
  { body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--', type: 'multipart/form-data; boundary=x' },
  { body: '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', type: 'application/xml' },
  { body: '{"a":1}', type: 'text/plain' },
  { body: '{"a":1}', type: 'application/json, text/html' },
];

const BAD_IDS: string[] = [
  '..',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '..%5c..%5cwindows',
  '%00',
  'null',
  'undefined',
  '0',
  '-1',
  '1.5',
  NUMBERS_WRONG[5]!,
  encodeURIComponent("' OR 1=1 --"),
  encodeURIComponent('<script>x</script>'),
  encodeURIComponent('１２３'),
  encodeURIComponent('\u202E'),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  randomUUID().toUpperCase(),
  randomUUID() + 'x',
  `{${randomUUID()}}`,
  randomUUID().replace(/-/g, ''),
  'a'.repeat(3000),
  '%E0%A4%A',
  '%',
  encodeURIComponent('__proto__'),
];

const FORGED_TOKENS: string[] = [
  '',
  'null',
  'undefined',
  'Bearer',
  randomBytes(32).toString('base64url'),
  randomBytes(32).toString('base64url').slice(0, 42),
  randomBytes(32).toString('base64url') + 'A',
  randomBytes(64).toString('hex'),
  'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiIsInJvbGVzIjpbImFkbWluIl19.',
  'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlcyI6WyJjbGVyayJdfQ.' + randomBytes(32).toString('base64url'),
  "' OR '1'='1",
  NUMBERS_WRONG[6]!,
  'x'.repeat(8000),
  '\u00e9\u00e9\u00e9',
];

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  query: string[];
  bodyProps: string[];
  hasBody: boolean;
  /** Declares bearer security in the OpenAPI document (the @Auth decorator sets it). */
  protected: boolean;
}

/** 12-digit windows of every digit run of 12 or more in the input (after NFKC: full-width digits count). */
function digitRuns(...inputs: unknown[]): string[] {
  const out = new Set<string>();
  for (const input of inputs) {
    if (input === undefined) continue;
    const text = (Buffer.isBuffer(input) ? input.toString('utf8') : typeof input === 'string' ? input : (JSON.stringify(input) ?? ''))
      .normalize('NFKC')
      // Ids are not numbers: a UUID's last group is all digits about once in 500 (and answers echo ids).
      .replace(/[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/gi, ' ');
    for (const run of text.match(/\d{12,}/g) ?? []) {
      if (new Set(run).size === 1) continue; // 1111… appears in nothing meaningful, but would match ids
      for (let i = 0; i + 12 <= Math.min(run.length, 60); i++) out.add(run.slice(i, i + 12));
    }
  }
  return [...out];
}

/** encodeURIComponent, but lone surrogates become an invalid UTF-8 sequence instead of throwing. */
function enc(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return Array.from(text, (c) => (/[\uD800-\uDFFF]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');
  }
}

describe('bad inputs on every route: only 4xx, never a 5xx, never an echoed number', () => {
  let app: INestApplication;
  let operations: Operation[];
  let subjectId: string;
  const tokens = new Map<string, SignedIn>();
  /** The signed-in role each operation accepts (the one that does not get a 403 for an empty call). */
  const tokenFor = new Map<string, string | undefined>();
  const problems: string[] = [];
  let sent = 0;
  const inputs = new Set<string>();

  const key = (op: Operation) => `${op.method} ${op.path}`;
  /** Skip routes whose valid-token call ends the very session the corpus uses. */
  const endsSession = (op: Operation) => op.path === '/auth/logout';

  async function send(
    op: Operation,
    options: { path?: string; query?: string; token?: string; json?: unknown; raw?: { body: string | Buffer; type?: string }; expect401?: boolean },
  ): Promise<number> {
    const url = (options.path ?? concrete(op.path)) + (options.query ? `?${options.query}` : '');
    let req = (request(app.getHttpServer()) as unknown as Record<string, (p: string) => request.Test>)[op.method]!(url);
    if (options.token !== undefined) req = req.set('Authorization', `Bearer ${options.token}`);
    if (options.raw) req = req.set('Content-Type', options.raw.type ?? 'application/json').send(options.raw.body);
    else if (options.json !== undefined) req = req.set('Content-Type', 'application/json').send(JSON.stringify(options.json));
    let res: request.Response;
    try {
      res = await req.timeout(60_000);
    } catch (error) {
      problems.push(`${op.method.toUpperCase()} ${url.slice(0, 120)}: no answer (${(error as Error).message})`);
      return 0;
    }
    sent++;
    const text = res.text ?? '';
    const what = `${op.method.toUpperCase()} ${url.slice(0, 120)} ${options.raw ? `raw ${String(options.raw.body).slice(0, 60)}` : (JSON.stringify(options.json)?.slice(0, 80) ?? '')}`;
    if (res.status >= 500) problems.push(`${res.status} for ${what}: ${text.slice(0, 200)}`);
    else if (res.status < 400 && op.protected && !(options.token && isValidToken(options.token)))
      problems.push(`${res.status} without a valid token for ${what}`);
    else if (options.expect401 && res.status !== 401) problems.push(`${res.status} instead of 401 for ${what}`);
    // every error answer carries a registered code, which the console has a Japanese text for (issue #22)
    const code = (res.body as { code?: unknown } | undefined)?.code;
    if (res.status >= 400 && res.status < 500 && !(typeof code === 'string' && code in ERROR_CODES))
      problems.push(`${res.status} with unregistered code ${String(code)} for ${what}`);
    for (const run of digitRuns(url, options.json, options.raw?.body, options.token)) {
      if (text.includes(run)) problems.push(`echoed digits from the input: ${what}`);
    }
    return res.status;
  }

  const isValidToken = (token: string) => [...tokens.values()].some((t) => t.token === token);
  const concrete = (path: string) =>
    path.replace(/\{([^}]+)\}/g, (_, name: string) => (name === 'id' && path.startsWith('/subjects') ? subjectId : randomUUID()));

  beforeAll(async () => {
    app = await createTestApp(BAD_INPUT_SETTINGS);
    for (const role of ['admin', 'clerk', 'auditor'] as const) tokens.set(role, await signIn(app, [role]));
    subjectId = (await createSubject(app, tokens.get('clerk')!.token)).id;
    const doc = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body as {
      paths: Record<
        string,
        Record<
          string,
          { security?: unknown[]; parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }
        >
      >;
      components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
    };
    operations = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const ref = op.requestBody?.content?.['application/json']?.schema?.$ref;
        const schema = ref ? doc.components?.schemas?.[ref.split('/').pop()!] : undefined;
        operations.push({
          method: method as Operation['method'],
          path,
          query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
          bodyProps: Object.keys(schema?.properties ?? {}),
          hasBody: ['post', 'put', 'patch'].includes(method),
          // a staff session's bearer token ('bearer'); /metrics has a token of its own ('metrics')
          protected: (op.security ?? []).some((s) => typeof s === 'object' && s !== null && 'bearer' in s),
        });
      }
    }
    // Which signed-in role reaches each route's validation (the others get 403 before it).
    for (const op of operations) {
      let chosen: string | undefined;
      if (!endsSession(op)) {
        for (const [role, who] of tokens) {
          if (op.path.startsWith('/auth/')) break; // public or any role: bodies are what matter
          const res = await request(app.getHttpServer())
            [op.method](concrete(op.path))
            .set('Authorization', `Bearer ${who.token}`)
            .set('Content-Type', 'application/json')
            .send(op.hasBody ? '{"__probe__":1}' : undefined);
          if (res.status !== 403) {
            chosen = role;
            break;
          }
        }
      }
      tokenFor.set(key(op), chosen ? tokens.get(chosen)!.token : tokens.get('clerk')!.token);
    }
  }, 300_000);

  afterAll(async () => app?.close());

  it('finds the routes from the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThan(30);
    expect(operations.filter((o) => o.protected).length).toBeGreaterThan(25);
    expect(operations.map(key)).toEqual(
      expect.arrayContaining(['post /subjects/{id}/number/reveal', 'post /reveals', 'put /subjects/{id}/number', 'post /auth/login']),
    );
  });

  it('has a corpus of at least 200 bad inputs', () => {
    for (const s of BAD_STRINGS) inputs.add(`s:${s}`);
    for (const v of BAD_VALUES) inputs.add(`v:${JSON.stringify(v)}`);
    for (const r of RAW_BODIES) inputs.add(`r:${r.type}:${String(r.body).slice(0, 200)}`);
    for (const id of BAD_IDS) inputs.add(`i:${id}`);
    for (const t of FORGED_TOKENS) inputs.add(`t:${t}`);
    expect(inputs.size).toBeGreaterThanOrEqual(200);
  });

  it('forged, revoked and missing tokens: 401 on every protected route', async () => {
    const revoked = await signIn(app, ['clerk']);
    await request(app.getHttpServer()).post('/auth/logout').set('Authorization', `Bearer ${revoked.token}`).expect(204);
    for (const op of operations) {
      for (const token of [...FORGED_TOKENS, revoked.token]) await send(op, { token, json: op.hasBody ? {} : undefined });
      await send(op, { json: op.hasBody ? { purpose: 'withholding-slip' } : undefined });
    }
    expect(problems).toEqual([]);
  }, 600_000);

  it('bad ids in every path parameter', async () => {
    for (const op of operations.filter((o) => o.path.includes('{') && !endsSession(o))) {
      for (const id of BAD_IDS) {
        const path = op.path.replace(/\{[^}]+\}/g, id);
        await send(op, { path, token: tokenFor.get(key(op)), json: op.hasBody ? {} : undefined });
      }
    }
    expect(problems).toEqual([]);
  }, 600_000);

  it('malformed, huge and oddly typed raw bodies on every route that takes one', async () => {
    for (const op of operations.filter((o) => o.bodyProps.length && !endsSession(o))) {
      for (const raw of RAW_BODIES) await send(op, { token: tokenFor.get(key(op)), raw });
    }
    expect(problems).toEqual([]);
  }, 600_000);

  it('every bad string and value in every body field and as the whole body', async () => {
    const values: unknown[] = [...BAD_STRINGS, ...BAD_VALUES];
    // Routes without a body DTO ignore the body: nothing to validate there.
    for (const op of operations.filter((o) => o.bodyProps.length && !endsSession(o))) {
      const token = tokenFor.get(key(op));
      const props = op.bodyProps;
      for (let i = 0; i < values.length; i++) {
        const field = props[i % props.length]!;
        // The other fields hold plausible values, so the bad one is what validation meets.
        const body: Record<string, unknown> = { purpose: 'withholding-slip', [field]: values[i] };
        if (field !== 'purpose' && !op.bodyProps.includes('purpose')) delete body.purpose;
        await send(op, { token, json: body });
      }
      // Whole bodies that are not objects.
      for (const v of [...BAD_VALUES.slice(0, 12), ...BAD_STRINGS.slice(0, 8)]) await send(op, { token, json: v });
      // An unknown field smuggled next to a valid one.
      await send(op, { token, json: { purpose: 'withholding-slip', isAdmin: true, number: NUMBERS_WRONG[7] } });
    }
    expect(problems).toEqual([]);
  }, 600_000);

  it('a body that is not a JSON object is refused before validation; an empty change is refused too', async () => {
    const http = () => request(app.getHttpServer());
    const clerk = tokens.get('clerk')!.token;
    const auditor = tokens.get('auditor')!.token;
    // these two once answered 200 to `null` (validation met "no fields", all optional)
    for (const raw of ['null', '[]', '7', '"x"', 'true']) {
      const verify = await http().post('/audit/verify').set('Authorization', `Bearer ${auditor}`).set('Content-Type', 'application/json').send(raw);
      expect([verify.status, verify.body.code]).toEqual([400, 'body.not-object']);
      const patch = await http().patch(`/subjects/${subjectId}`).set('Authorization', `Bearer ${clerk}`).set('Content-Type', 'application/json').send(raw);
      expect([patch.status, patch.body.code]).toEqual([400, 'body.not-object']);
    }
    // an empty PATCH (no body, or {}) changes nothing and says so instead of answering 200
    for (const body of [undefined, {}]) {
      const r = await http().patch(`/subjects/${subjectId}`).set('Authorization', `Bearer ${clerk}`).send(body);
      expect([r.status, r.body.code]).toEqual([400, 'subject.nothing-to-change']);
    }
    // the optional body of /audit/verify may still be left out
    await http().post('/audit/verify').set('Authorization', `Bearer ${auditor}`).expect(200);
  });

  it('every bad string in every query parameter', async () => {
    for (const op of operations.filter((o) => o.query.length && !endsSession(o))) {
      const token = tokenFor.get(key(op));
      for (let i = 0; i < BAD_STRINGS.length; i++) {
        const name = op.query[i % op.query.length]!;
        await send(op, { token, query: `${enc(name)}=${enc(BAD_STRINGS[i]!.slice(0, 4000))}` });
      }
      // Repeated and bracketed parameters (arrays and objects in query parsers).
      await send(op, { token, query: op.query.map((q) => `${q}=a&${q}=b`).join('&') });
      await send(op, { token, query: op.query.map((q) => `${q}[$ne]=1`).join('&') });
      await send(op, { token, query: op.query.map((q) => `${q}[]=${NUMBERS_WRONG[8]}`).join('&') });
    }
    expect(problems).toEqual([]);
  }, 600_000);

  it('expired sessions: 401 everywhere (run last: it moves the clock past every session)', async () => {
    const clock = app.get(ClockService);
    clock.advance(13 * 60 * 60 * 1000); // past SESSION_MAX_HOURS (12)
    try {
      for (const op of operations) {
        const json = op.hasBody ? {} : undefined;
        for (const who of tokens.values()) await send(op, { token: who.token, json, expect401: op.protected });
      }
    } finally {
      clock.reset();
    }
    expect(problems).toEqual([]);
    console.log(`bad inputs: ${inputs.size} distinct inputs, ${sent} requests over ${operations.length} operations`);
  }, 600_000);
});
