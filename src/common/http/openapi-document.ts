import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ParameterObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { STATUS_CODES } from 'node:http';
import { ERROR_RESPONSE_SCHEMA } from './error-codes';

const ERROR_REF = { $ref: '#/components/schemas/ErrorResponse' };
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Why a status can come back from any route of a kind (docs/api.md, "The OpenAPI document"). */
const COMMON_ERRORS: Record<number, string> = {
  400: 'Invalid input (validation.failed and others), or a number-like X-Request-Id',
  401: 'No valid session (auth.token-required, session.invalid)',
  403: 'The session lacks the role or the route refuses this caller',
  404: 'Not found (the id in the path names nothing, or nothing the caller may see)',
  413: 'Request body too large',
  415: 'Request body is not JSON (body.unsupported-type)',
  500: 'Unexpected server error (internal; carries a correlationId for the log)',
  503: 'Database unavailable (database.unavailable) or the vault is sealed (vault.sealed, custody mode)',
};

const LOGIN_STEP = {
  401: 'Wrong credentials, code or challenge (the same answer for unknown users)',
  403: "The account's role may not log in from this address (network.address-not-allowed; only after a right password)",
  429: 'Locked out or rate-limited; see Retry-After',
};
const COLLECT = { 410: 'The link expired, was cancelled or already used', 429: 'Too many attempts for this link or address; see Retry-After' };

/**
 * Route-specific error answers, from the throw sites of the services each route calls (kept here
 * rather than on the controllers so that one table shows them all). Statuses every route of a kind
 * answers are added by completeOperation.
 */
const ROUTE_ERRORS: Record<string, Record<number, string>> = {
  'POST /auth/login': LOGIN_STEP,
  'POST /auth/password': LOGIN_STEP,
  'POST /auth/totp/enrol': LOGIN_STEP,
  'POST /auth/totp/activate': LOGIN_STEP,
  'POST /auth/totp': LOGIN_STEP,
  'POST /auth/recovery': LOGIN_STEP,
  'POST /auth/step-up': { 429: 'Too many step-up attempts; see Retry-After' },
  'POST /me/training': { 409: 'Not the current version of the handling rules' },
  'POST /users': { 409: 'Username taken' },
  'PATCH /users/{id}': { 409: 'The last active admin cannot lose the role, or the account is deactivated' },
  'POST /users/{id}/deactivate': { 409: 'Already deactivated, or the last active admin' },
  'POST /users/{id}/totp/reset': { 409: 'The account is deactivated' },
  'POST /users/{id}/handover-admin': { 409: 'The person cannot take the admin role' },
  'POST /subjects': { 409: 'The code is taken' },
  'POST /subjects/{id}/relationships': { 409: 'The relationship exists' },
  'PUT /subjects/{id}/number': { 409: 'The number is on file for another person (number.on-file-for-another-person)' },
  'POST /subjects/{id}/number/reveal': { 409: 'Nothing on file to reveal' },
  'POST /reveals': {
    404: 'A person named in the request does not exist or has no number on file (reveal.no-subject, reveal.no-number)',
    409: 'The recipient firm has no key of the kind asked for (export.no-recipient-key, export.no-age-recipient)',
  },
  'POST /retention/alarms/{id}/dispose': { 409: 'Not due, or already disposed' },
  'POST /retention/alarms/{id}/postpone': { 409: 'The alarm is not open' },
  'GET /subjects/{id}/retention': { 409: 'The person has not left' },
  'POST /subjects/{id}/early-disposal': { 409: 'Not possible for this person now' },
  'POST /retention/early-disposals/{id}/approve': { 409: 'Already decided' },
  'POST /retention/early-disposals/{id}/reject': { 409: 'Already decided' },
  'POST /retention/reviews/{id}/confirm': { 409: 'The review is closed' },
  'POST /retention/reviews/{id}/close': { 409: 'The review is closed' },
  'POST /approvals/{id}/approve': { 409: 'Already decided' },
  'POST /approvals/{id}/decline': { 409: 'Already decided' },
  'POST /approvals/accounts/{userId}/approve': { 409: 'No roles waiting for approval' },
  'POST /approvals/accounts/{userId}/decline': { 409: 'No roles waiting for approval' },
  'GET /audit/proofs/inclusion': { 404: 'No entry with that sequence number', 409: 'The tree is not yet signed at that size' },
  'GET /audit/proofs/consistency': { 404: 'No signed tree head of that size', 409: 'The tree is not yet signed at that size' },
  'PUT /firms/{id}/recipient-key': { 409: 'The key cannot be used' },
  'POST /keys/versions/{version}/retire': { 409: 'Data keys still use this version, or it is current' },
  'POST /custody/unseal': { 409: 'Not sealed' },
  'POST /custody/my-share': { 404: 'No share waits for this person' },
  'POST /custody/auto-unseal': { 409: 'Not in custody mode, or sealed' },
  'POST /keys/retirements/{id}/confirm': { 409: 'Not waiting any more' },
  'POST /keys/retirements/{id}/cancel': { 409: 'Not waiting any more' },
  'POST /collection/requests/{id}/reissue': { 409: 'The link cannot be reissued in its state' },
  'POST /collection/requests/{id}/cancel': { 409: 'The link cannot be cancelled in its state' },
  'POST /collection/submissions/{id}/approve': { 409: 'The number is on file for another person, or the submission was decided' },
  'POST /collection/submissions/{id}/return': { 409: 'The submission was decided' },
  'POST /collection/requests': { 409: 'E-mail asked for but no mail server is set up' },
  'POST /collect/link': { ...COLLECT, 404: 'No such link' },
  'POST /collect/submission': { ...COLLECT, 404: 'No such link', 409: 'Already submitted', 422: 'An image could not be read (or is a decompression bomb)' },
  'GET /reports/monthly/{month}.pdf': { 503: 'Chromium is missing at CHROMIUM_PATH or could not draw the report (report.pdf-unavailable)' },
  'POST /reports/monthly/{month}/sign-off': { 409: 'The month is signed off already, or has not ended' },
  'PATCH /breaches/{id}': { 409: 'The incident is closed' },
  'POST /breaches/{id}/affected': { 409: 'The incident is closed' },
  'POST /breaches/{id}/reports': { 409: 'The report was recorded already, or its order is wrong' },
  'PUT /network/allow-list/{role}': { 409: 'The list would lock the caller out' },
  'GET /metrics': { 403: 'METRICS_TOKEN missing or wrong', 404: 'METRICS_ENABLED is off' },
};

/**
 * Completes the document Nest builds from the decorators, so that it is the contract clients
 * generate from and the e2e suite validates every answer against (issue #20):
 * - one `ErrorResponse` schema (its `code` enum is the registry in error-codes.ts) on every 4xx/5xx
 *   answer, with the statuses every route of its kind can answer (400 and 500/503 everywhere, 401/403
 *   with a session, 404 with an id in the path, 413/415 with a body); route-specific ones (409, 422,
 *   429, …) come from the routes' own decorators;
 * - ids in paths as `format: uuid`, the key version as an integer;
 * - the bearer scheme described as what it is: an opaque session token, not a JWT.
 */
export function completeOpenApiDocument(doc: OpenAPIObject): OpenAPIObject {
  doc.components = {
    ...doc.components,
    schemas: { ...doc.components?.schemas, ErrorResponse: ERROR_RESPONSE_SCHEMA as unknown as SchemaObject },
    securitySchemes: {
      ...doc.components?.securitySchemes,
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'Opaque session token (not a JWT) from POST /auth/totp, /auth/totp/activate or /auth/recovery; ends at logout or expiry',
      },
      metrics: { type: 'http', scheme: 'bearer', description: 'The METRICS_TOKEN setting (GET /metrics only)' },
    },
  };
  // the common error answers once, referenced by each operation (a generated client stays small)
  doc.components.responses = {
    ...doc.components.responses,
    ...Object.fromEntries(
      Object.entries(COMMON_ERRORS).map(([status, description]) => [`Error${status}`, { description, content: { 'application/json': { schema: ERROR_REF } } }]),
    ),
  };
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) completeOperation(path, method, op);
    }
  }
  return doc;
}

function completeOperation(path: string, method: (typeof METHODS)[number], op: OperationObject): void {
  const responses = op.responses as Record<string, ResponseObject | ReferenceObject>;
  const statuses = [400, 500, 503];
  if (op.security?.some((s) => 'bearer' in s)) statuses.push(401, 403);
  if (/\{[^}]+\}/.test(path)) statuses.push(404);
  if (method === 'post' || method === 'put' || method === 'patch') statuses.push(413, 415);
  for (const [status, description] of Object.entries(ROUTE_ERRORS[`${method.toUpperCase()} ${path}`] ?? {})) responses[status] ??= { description };
  for (const status of statuses) responses[status] ??= { $ref: `#/components/responses/Error${status}` };
  for (const [status, response] of Object.entries(responses)) {
    if (Number(status) < 400 || '$ref' in response) continue;
    if (!response.description) response.description = COMMON_ERRORS[Number(status)] ?? STATUS_CODES[status] ?? 'Error';
    response.content ??= { 'application/json': { schema: ERROR_REF } };
  }
  for (const parameter of (op.parameters ?? []) as ParameterObject[]) {
    if (parameter.in !== 'path') continue;
    if (parameter.name === 'version') parameter.schema = { type: 'integer', minimum: 1 };
    else if (/^(id|\w+Id)$/.test(parameter.name)) parameter.schema = { type: 'string', format: 'uuid' };
  }
}
