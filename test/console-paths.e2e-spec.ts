import { INestApplication } from '@nestjs/common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { createTestApp } from './support/app';

/** Issue #16, finding 8: path-traversal attempts and NUL bytes under /console answer a quiet 404, never 500. */
describe('console static files: odd paths (issue #16)', () => {
  let app: INestApplication;
  let port: number;
  beforeAll(async () => {
    app = await createTestApp();
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => app?.close());

  /** Sends the path exactly as given (no client-side normalisation). */
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });

  it.each([
    '/console/../../package.json',
    '/console/..%2f..%2fpackage.json',
    '/console/%2e%2e/%2e%2e/package.json',
    '/console/%00',
    '/console/app.js%00.png',
    '/console/js/%00/../app.js',
  ])('%s answers 404', async (path) => {
    expect(await get(path)).toBe(404);
  });

  it('an undecodable path (overlong UTF-8) is refused by the router with 400, never 500', async () => {
    expect(await get('/console/%c0%ae%c0%ae/package.json')).toBe(400);
  });
});
