import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * The OpenAPI document is the contract (issue #20): every answer the application gives in an e2e
 * spec is checked against the document that same application serves at /docs-json: the status
 * must be documented for the operation, the media type among the documented ones, and a JSON body
 * (or each NDJSON line) must match the schema (ajv + ajv-formats: uuid, date, date-time, …).
 *
 * The check sits on the HTTP server (createTestApp installs it), so supertest, fetch and the typed
 * openapi-fetch client are all covered without any spec doing anything. A mismatch is collected
 * here and fails the test that was running (setup-after-env.ts), naming the operation, the status
 * and the place in the body. The document is compiled once per spec file (jest gives each file
 * its own module registry) and each schema on first use.
 */

const CAPTURE_LIMIT = 4 * 1024 * 1024; // bigger bodies (long exports) get their media type checked only
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  literalChars: number;
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }>; $ref?: string };
}

export interface ContractAnswer {
  method: string;
  url: string;
  status: number;
  contentType: string | undefined;
  body: Buffer | null; // null: too large to check
  /** What the client sent: checked against the operation's requestBody when the answer is 2xx. */
  request?: { contentType: string | undefined; body: Buffer | null };
}

const mismatches: string[] = [];
const checkers = new Map<string, ContractChecker>();

/** Mismatches found since the last call (setup-after-env fails the running test with them). */
export function takeContractMismatches(): string[] {
  return mismatches.splice(0, mismatches.length);
}

/** The document the app serves, exactly as a client downloads it. */
export async function servedDocument(app: INestApplication): Promise<OpenAPIObject> {
  const res = await (app as NestFastifyApplication).getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs-json' });
  if (res.statusCode !== 200) throw new Error(`GET /docs-json answered ${res.statusCode}`);
  return res.json<OpenAPIObject>();
}

/** Installs the check on the app's HTTP server: every answer it sends is validated against its document. */
export async function checkAnswersAgainstContract(app: INestApplication): Promise<void> {
  const document = await servedDocument(app);
  const key = JSON.stringify(document);
  let checker = checkers.get(key);
  if (!checker) checkers.set(key, (checker = new ContractChecker(document)));
  const contract = checker;
  const server = app.getHttpServer() as Server;
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function' || size > CAPTURE_LIMIT) return;
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      size += buf.length;
      if (size <= CAPTURE_LIMIT) chunks.push(buf);
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((...args: unknown[]) => (keep(args[0], args[1]), write(...args))) as typeof res.write;
    res.end = ((...args: unknown[]) => (keep(args[0], args[1]), end(...args))) as typeof res.end;
    // Fastify passes its headers to writeHead; getHeader sees them only when something was set before
    // (answers made before any hook, like the router's own errors, would look untyped otherwise).
    let headContentType: unknown;
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      const headers = args.find((a, i) => i > 0 && typeof a === 'object' && a !== null) as Record<string, unknown> | undefined;
      if (headers) headContentType = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
      return writeHead(...args);
    }) as typeof res.writeHead;
    // The request body as it arrives: a tee on the 'data' events the router's body parser listens to
    // (adding a listener of our own would start the flow before the parser is there).
    const sent: Buffer[] = [];
    let sentSize = 0;
    const emit = req.emit.bind(req) as (event: string | symbol, ...args: unknown[]) => boolean;
    req.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'data' && sentSize <= CAPTURE_LIMIT) {
        const chunk = args[0];
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        sentSize += buf.length;
        if (sentSize <= CAPTURE_LIMIT) sent.push(buf);
      }
      return emit(event, ...args);
    }) as typeof req.emit;
    res.once('finish', () => {
      const header = res.getHeader('content-type') ?? headContentType;
      const problem = contract.check({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        status: res.statusCode,
        contentType: header === undefined ? undefined : String(header),
        body: size > CAPTURE_LIMIT ? null : Buffer.concat(chunks),
        request: { contentType: req.headers['content-type'], body: sentSize > CAPTURE_LIMIT ? null : Buffer.concat(sent) },
      });
      if (problem) mismatches.push(problem);
    });
  });
}

/**
 * The same check for an app this process did not build (the trial spec's child process, started
 * with `node src/main.ts`): its server is out of reach, so the spec's own HTTP helper hands each
 * answer (and what it sent) here. The document is the one that app serves at /docs-json, fetched
 * once per base URL; a mismatch fails the running test as for createTestApp's apps.
 */
export async function checkOutsideAnswer(baseUrl: string, answer: ContractAnswer): Promise<void> {
  let checker = outsideCheckers.get(baseUrl);
  if (!checker) {
    const res = await fetch(`${baseUrl}/docs-json`, { signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) throw new Error(`GET ${baseUrl}/docs-json answered ${res.status}`);
    const document = (await res.json()) as OpenAPIObject;
    const key = JSON.stringify(document);
    checker = checkers.get(key) ?? new ContractChecker(document);
    checkers.set(key, checker);
    outsideCheckers.set(baseUrl, checker);
  }
  const problem = checker.check(answer);
  if (problem) mismatches.push(problem);
}

const outsideCheckers = new Map<string, ContractChecker>();

export class ContractChecker {
  private readonly ajv: Ajv;
  private readonly operations: Operation[] = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenAPIObject) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema(nullableRefs(structuredClone(document)) as object, 'openapi');
    for (const [template, item] of Object.entries(document.paths)) {
      for (const method of METHODS) {
        const op = (item as Record<string, { operationId?: string; responses?: Operation['responses']; requestBody?: Operation['requestBody'] }>)[method];
        if (!op) continue;
        const source = template
          .split(/(\{[^}]+\})/)
          .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
          .join('');
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(`^${source}/?$`, 'i'),
          literalChars: template.replace(/\{[^}]+\}/g, '').length,
          operationId: op.operationId ?? '?',
          responses: op.responses ?? {},
          requestBody: op.requestBody,
        });
      }
    }
    // a literal segment wins over a parameter (/retention/alarms/dispose-all before /retention/alarms/{id})
    this.operations.sort((a, b) => b.literalChars - a.literalChars);
  }

  /** A sentence naming what does not match, or null when the answer is as documented. */
  check(answer: ContractAnswer): string | null {
    const path = answer.url.split('?')[0] ?? '/';
    const media = answer.contentType?.split(';')[0]?.trim().toLowerCase();
    // refused by the HTTP layer before any route (URI too long, an unreadable request line): no API answer
    if (answer.status === 414 || (answer.status >= 400 && !answer.contentType && !answer.body?.length)) return null;
    const op = this.operations.find((o) => o.method === answer.method.toUpperCase() && o.pattern.test(path));
    if (!op) {
      // not an API operation (console files, /docs, unknown routes): an error answer still has the one error shape
      if (answer.status >= 400 && media === 'application/json' && answer.body) {
        return this.validate('ErrorResponse', { $ref: 'openapi#/components/schemas/ErrorResponse' }, answer.body, `${answer.method} ${path}`, answer.status);
      }
      return null;
    }
    const name = `${op.method} ${op.template} (${op.operationId})`;
    const sent = answer.status >= 200 && answer.status < 300 ? this.checkRequest(op, name, answer) : null;
    if (sent) return sent;
    const key = String(answer.status) in op.responses ? String(answer.status) : 'default';
    const found = op.responses[key];
    if (!found) return `${name} answered ${answer.status}, a status the document does not list (documented: ${Object.keys(op.responses).join(', ')})`;
    // a response may be shared: { $ref: '#/components/responses/Error404' }
    const ref = (found as { $ref?: string }).$ref;
    const response = ref ? (this.resolve(ref) as typeof found) : found;
    const base = ref ? `openapi${ref}` : `openapi#/paths/${escapePointer(op.template)}/${op.method.toLowerCase()}/responses/${key}`;
    const content = response.content;
    const empty = !answer.body || answer.body.length === 0;
    if (!content) return empty || answer.body === null ? null : `${name} answered ${answer.status} with a body the document does not describe`;
    if (empty && answer.body !== null) return `${name} answered ${answer.status} with an empty body; the document describes ${Object.keys(content).join(', ')}`;
    const documented = media && (content[media] ?? content['*/*']);
    if (!documented) {
      const said = answer.body ? ` (${JSON.stringify(answer.body.toString('utf8', 0, 120)).replace(/\d{12,}/g, '[digits]')})` : '';
      return `${name} answered ${answer.status} as ${media ?? 'no content type'}${said}; the document lists ${Object.keys(content).join(', ')}`;
    }
    if (answer.body === null || !documented.schema) return null;
    const pointer = `${base}/content/${escapePointer(media in content ? media : '*/*')}/schema`;
    if (media === 'application/json' || media.endsWith('+json')) return this.validate(pointer, { $ref: pointer }, answer.body, name, answer.status);
    if (media === 'application/x-ndjson' && (documented.schema as { type?: string }).type !== 'string') {
      const lines = answer.body.toString('utf8').split('\n').filter(Boolean);
      for (const [i, line] of lines.entries()) {
        const problem = this.validate(pointer, { $ref: pointer }, Buffer.from(line), `${name} line ${i + 1}`, answer.status);
        if (problem) return problem;
      }
    }
    return null;
  }

  /**
   * A request the server accepted (2xx) must match the operation's documented requestBody: when it
   * does not, the document is wrong (a client generated from it could not send what works). JSON
   * bodies are validated by the schema; other media types are checked to be among the documented.
   */
  private checkRequest(op: Operation, name: string, answer: ContractAnswer): string | null {
    const request = answer.request;
    if (!request || request.body === null) return null;
    const documented = op.requestBody?.$ref ? (this.resolve(op.requestBody.$ref) as Operation['requestBody']) : op.requestBody;
    const empty = request.body.length === 0;
    if (!documented) return null; // a body the route does not read (nothing documented) changes nothing
    if (empty) return documented.required ? `${name} accepted (${answer.status}) a request without a body; the document says the body is required` : null;
    const media = request.contentType?.split(';')[0]?.trim().toLowerCase();
    const content = documented.content ?? {};
    const entry = media && (content[media] ?? content['*/*']);
    if (!entry)
      return `${name} accepted (${answer.status}) a request body as ${media ?? 'no content type'}; the document lists ${Object.keys(content).join(', ') || 'none'}`;
    if (!entry.schema || !(media === 'application/json' || media.endsWith('+json'))) return null;
    const base = op.requestBody?.$ref ? `openapi${op.requestBody.$ref}` : `openapi#/paths/${escapePointer(op.template)}/${op.method.toLowerCase()}/requestBody`;
    const pointer = `${base}/content/${escapePointer(media in content ? media : '*/*')}/schema`;
    return this.validate(pointer, { $ref: pointer }, request.body, name, answer.status, 'request');
  }

  private resolve(ref: string): unknown {
    return ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], this.document);
  }

  private validate(key: string, schema: object, body: Buffer, name: string, status: number, what: 'answer' | 'request' = 'answer'): string | null {
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      return what === 'request' ? null : `${name} answered ${status} with a body that is not JSON`; // an unparsable request is the server's to refuse
    }
    let validate = this.validators.get(key);
    if (!validate) this.validators.set(key, (validate = this.ajv.compile(schema)));
    if (validate(value)) return null;
    if (what === 'request')
      return `${name} accepted (${status}) a request body that does not match the document's requestBody:\n${describeErrors(validate.errors ?? [], value)}`;
    return `${name} answered ${status} with a body that does not match the document:\n${describeErrors(validate.errors ?? [], value)}`;
  }
}

/**
 * OpenAPI 3.0's `nullable: true` beside `allOf: [{ $ref }]` (how Nest writes a nullable object) means
 * "this object or null"; ajv applies `nullable` to `type` only, so say it in JSON Schema terms.
 */
function nullableRefs(node: unknown): unknown {
  if (Array.isArray(node)) node.forEach(nullableRefs);
  else if (node && typeof node === 'object') {
    const schema = node as Record<string, unknown>;
    Object.values(schema).forEach(nullableRefs);
    if (schema.nullable === true && (schema.allOf || schema.$ref)) {
      const { nullable: _nullable, type: _type, ...rest } = schema;
      for (const key of Object.keys(schema)) delete schema[key];
      schema.anyOf = [rest, { enum: [null] }];
    }
  }
  return node;
}

function escapePointer(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));
}

/** ajv's errors with the place in the body and what is there (digit runs masked: never a number in a test log). */
function describeErrors(errors: ErrorObject[], body: unknown): string {
  return errors
    .slice(0, 8)
    .map((e) => {
      const at = e.instancePath || '(root)';
      const found = JSON.stringify(valueAt(body, e.instancePath))
        ?.replace(/\d{12,}/g, (d) => '#'.repeat(d.length))
        .slice(0, 120);
      return `  - body${at === '(root)' ? '' : at} ${e.message ?? e.keyword}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''} (found ${found})`;
    })
    .join('\n');
}

function valueAt(body: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), body);
}
