import { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import createClient from 'openapi-fetch';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestApp } from './support/app';
import type { paths } from './support/openapi-schema';
import { ContractChecker, servedDocument } from './support/openapi-contract';
import { signIn } from './support/staff';

/**
 * The OpenAPI document is the contract (issue #20; docs/api.md). Every answer of every e2e spec is
 * validated against it (test/support/openapi-contract.ts); here: every operation documents its
 * success answer, the typed client generated from it with openapi-typescript is current (and
 * `npm run typecheck` compiles its use below), and that client works against the running app.
 */
const SCHEMA_FILE = join(__dirname, 'support', 'openapi-schema.d.ts');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * The client types openapi-typescript generates from the document (its CLI, as a client developer
 * runs it: the package's dependencies are ES modules jest cannot load), formatted as the repository
 * formats TypeScript.
 */
async function generateClientTypes(document: OpenAPIObject): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'mnv-openapi-'));
  try {
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(document));
    const cli = join(__dirname, '..', 'node_modules', '.bin', 'openapi-typescript');
    await promisify(execFile)(cli, [join(dir, 'openapi.json'), '--output', join(dir, 'schema.d.ts')]);
    const header =
      '// Generated from GET /docs-json by openapi-typescript (test/openapi-contract.e2e-spec.ts): do not edit.\n' +
      '// Regenerate: UPDATE_OPENAPI_CLIENT=1 npx jest --runInBand test/openapi-contract.e2e-spec.ts\n';
    const prettier = join(__dirname, '..', 'node_modules', '.bin', 'prettier');
    return execFileSync(prettier, ['--stdin-filepath', SCHEMA_FILE], { input: header + readFileSync(join(dir, 'schema.d.ts'), 'utf8'), encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the OpenAPI document as the contract', () => {
  let app: INestApplication;
  let document: OpenAPIObject;

  beforeAll(async () => {
    app = await createTestApp();
    document = await servedDocument(app);
  });
  afterAll(async () => app?.close());

  it('documents a success answer for every operation: JSON with a schema, a named media type, or 204', () => {
    const missing: string[] = [];
    let operations = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        operations++;
        const name = `${method.toUpperCase()} ${path}`;
        const success = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
        if (!success.length) missing.push(`${name}: no 2xx answer`);
        for (const [status, response] of success) {
          if (!response) continue;
          if (status === '204') continue;
          const content = 'content' in response ? response.content : undefined;
          if (!content || !Object.keys(content).length) missing.push(`${name}: ${status} without content`);
          for (const [media, body] of Object.entries(content ?? {})) if (!body.schema) missing.push(`${name}: ${status} ${media} without a schema`);
        }
      }
    }
    expect(operations).toBeGreaterThan(90);
    expect(missing).toEqual([]);
  });

  it('names every error answer with the one ErrorResponse schema, ids as uuids, and the bearer token as opaque', () => {
    const scheme = document.components?.securitySchemes?.bearer as { bearerFormat?: string; description?: string };
    expect(scheme.bearerFormat).toBeUndefined();
    expect(scheme.description).toMatch(/opaque/i);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        for (const [status, response] of Object.entries(op.responses)) {
          if (!response || Number(status) < 400 || path === '/health') continue;
          const schema = '$ref' in response ? response.$ref : JSON.stringify(response.content?.['application/json']?.schema);
          expect([`${method} ${path} ${status}`, schema]).toEqual([
            `${method} ${path} ${status}`,
            expect.stringMatching(/ErrorResponse|#\/components\/responses\/Error\d+/),
          ]);
        }
        for (const p of op.parameters ?? []) {
          if ('in' in p && p.in === 'path' && /^(id|\w+Id)$/.test(p.name))
            expect([path, p.name, p.schema]).toEqual([path, p.name, { type: 'string', format: 'uuid' }]);
        }
      }
    }
  });

  it('checks what a client sent against the documented requestBody when the server accepted it', () => {
    const checker = new ContractChecker(document);
    const json = (value: unknown) => Buffer.from(JSON.stringify(value));
    const created = json({ id: '00000000-0000-4000-8000-000000000001', username: 'sato.h', initialPassword: 'x'.repeat(24) });
    const answer = (status: number, sent: unknown, contentType = 'application/json') => ({
      method: 'POST',
      url: '/users',
      status,
      contentType: 'application/json',
      body: status === 201 ? created : json({ statusCode: status, code: 'validation.failed', error: 'Bad Request', message: 'no' }),
      request: { contentType, body: sent === undefined ? Buffer.alloc(0) : json(sent) },
    });
    const good = { username: 'sato.h', displayName: '佐藤 花子', roles: ['clerk'] };
    expect(checker.check(answer(201, good))).toBeNull();
    // accepted although the document says otherwise: the document is wrong
    expect(checker.check(answer(201, { ...good, roles: 'clerk' }))).toMatch(
      /POST \/users .*accepted \(201\) a request body that does not match[\s\S]*body\/roles must be array/,
    );
    expect(checker.check(answer(201, { displayName: 'x', roles: ['clerk'] }))).toMatch(/must have required property 'username'/);
    expect(checker.check(answer(201, undefined))).toMatch(/without a body; the document says the body is required/);
    expect(checker.check(answer(201, good, 'text/plain'))).toMatch(/as text\/plain; the document lists application\/json/);
    // refused: the server said no, so the document is not contradicted
    expect(checker.check(answer(400, { ...good, roles: 'clerk' }))).toBeNull();
  });

  it('the committed client types (openapi-typescript) are generated from the current document', async () => {
    const generated = await generateClientTypes(document);
    if (process.env.UPDATE_OPENAPI_CLIENT === '1') writeFileSync(SCHEMA_FILE, generated);
    expect(
      readFileSync(SCHEMA_FILE, 'utf8') === generated ? 'current' : 'stale: run UPDATE_OPENAPI_CLIENT=1 npx jest --runInBand test/openapi-contract.e2e-spec.ts',
    ).toBe('current');
  });

  it('a typed client (openapi-fetch) creates a person and reads them back', async () => {
    await app.listen(0, '127.0.0.1');
    const clerk = await signIn(app, ['clerk']);
    const client = createClient<paths>({ baseUrl: await app.getUrl(), headers: { Authorization: `Bearer ${clerk.token}` } });
    const code = `api-${Date.now().toString(36)}`;
    const created = await client.POST('/subjects', { body: { kind: 'employee', code, name: '型付 太郎', hiredAt: '2024-04-01' } });
    expect(created.response.status).toBe(201);
    const id: string = created.data!.id;
    const read = await client.GET('/subjects/{id}', { params: { path: { id } } });
    expect(read.data).toMatchObject({ id, code, kind: 'employee', hiredAt: '2024-04-01', leftAt: null });
    const onFile: boolean = read.data!.number.onFile;
    expect(onFile).toBe(false);
    const refused = await client.GET('/subjects/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } });
    expect(refused.response.status).toBe(404);
    expect(refused.error?.code).toBe('subject.not-found');
  });
});
