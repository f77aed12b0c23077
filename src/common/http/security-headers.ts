import helmet, { HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The headers helmet sets with these options (its defaults: CSP, HSTS, nosniff, frame options,
 * ...), computed once by running helmet's middleware against a recording response.
 *
 * Why not `@fastify/helmet`: it builds `helmet(options)` — parsing every option and CSP
 * directive again — inside its hook on every request, and adds two hooks (one async, with a
 * closure per request) for a result that never changes without nonces. On the reveal path that
 * was about 5 % of the service's CPU outside system calls (docs/performance.md, issue #21). The
 * headers are the same; `security-headers.spec.ts` compares them with helmet's own on a request.
 * Options that make headers depend on the request (CSP nonces, functions in directives) are
 * refused here, so a precomputed answer can never be wrong.
 */
export function securityHeaders(options: Readonly<HelmetOptions> = {}): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failed: unknown;
  helmet(options as HelmetOptions)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failed = error;
  });
  if (failed) throw failed instanceof Error ? failed : new Error(String(failed));
  const directives = typeof options.contentSecurityPolicy === 'object' ? options.contentSecurityPolicy.directives : undefined;
  if (directives && Object.values(directives).some((v) => typeof v === 'function' || (Array.isArray(v) && v.some((x) => typeof x === 'function')))) {
    throw new Error('securityHeaders: a CSP directive that depends on the request cannot be precomputed');
  }
  return Object.freeze(headers);
}
