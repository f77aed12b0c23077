import helmet from 'helmet';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { securityHeaders } from './security-headers';

describe('securityHeaders', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    // helmet's own middleware on a real request and response: what the precomputed headers must equal
    const middleware = helmet();
    server = createServer((req, res) =>
      middleware(req, res, () => {
        res.end('ok');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("equals helmet's headers on a request, name for name and value for value", async () => {
    const res = await fetch(url);
    const fromHelmet: Record<string, string> = {};
    const ignored = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
    res.headers.forEach((value, name) => {
      if (!ignored.has(name)) fromHelmet[name] = value;
    });
    expect(Object.keys(fromHelmet).length).toBeGreaterThanOrEqual(10);
    expect({ ...securityHeaders() }).toEqual(fromHelmet);
    expect(fromHelmet['content-security-policy']).toContain("default-src 'self'");
    expect(fromHelmet['x-content-type-options']).toBe('nosniff');
  });

  it('is computed once and cannot be changed afterwards', () => {
    const headers = securityHeaders();
    expect(Object.isFrozen(headers)).toBe(true);
  });

  it('refuses options whose headers depend on the request', () => {
    expect(() =>
      securityHeaders({
        contentSecurityPolicy: { directives: { scriptSrc: ["'self'", (_req, res) => `'nonce-${String((res as { nonce?: string }).nonce)}'`] } },
      }),
    ).toThrow(/depends on the request/);
  });
});
