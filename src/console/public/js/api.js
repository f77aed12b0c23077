// The console talks only to the public API. The session token lives in this module's memory:
// never in localStorage, sessionStorage, cookies or the URL, so a reload means logging in again.

let token = null;
let onUnauthorized = () => {};

export function setToken(value) {
  token = value;
}

export function hasSession() {
  return token !== null;
}

/** Called once with the server's message when a signed-in call answers 401 (session ended). */
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

export class ApiError extends Error {
  constructor(status, body, retryAfter = null) {
    super(messageOf(body) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
    /** Seconds from a Retry-After header (429, 503), else null. */
    this.retryAfter = retryAfter;
  }
}

function messageOf(body) {
  if (!body) return '';
  if (Array.isArray(body.message)) return body.message.join('; ');
  return body.message ?? body.error ?? '';
}

/**
 * api('GET', '/subjects', undefined, { query: { q } }) → parsed JSON (or null for 204).
 * With { raw: true } the Response itself is returned (CSV, NDJSON, PEM downloads).
 */
export async function api(method, path, body, options = {}) {
  const headers = { Accept: options.accept ?? 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let url = path;
  if (options.query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
  if (res.status === 401 && token) {
    const answer = await res.json().catch(() => null);
    token = null;
    onUnauthorized(messageOf(answer));
    throw new ApiError(401, answer);
  }
  if (!res.ok) {
    const retryAfter = Number(res.headers.get('Retry-After'));
    throw new ApiError(res.status, await res.json().catch(() => null), retryAfter > 0 ? retryAfter : null);
  }
  if (options.raw) return res;
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') ?? '';
  return type.includes('json') ? res.json() : res.text();
}
