import fastifyStatic from '@fastify/static';
import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartScriptPath, CONSOLE_CSP, consolePublicDir, jsqrScriptPath, qrcodeModulePath } from './console-assets';
import { ConsoleController } from './console.controller';

/** Headers for every console file: the strict CSP, no caching of the page itself. */
const CONSOLE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/**
 * The web console (issue #8): static HTML, CSS and ES modules at `/` and `/console/…`, a client
 * of the public API like any other. Registered on the Fastify instance when the module
 * initialises, so the test application serves it too. `/console/reference` is an API route
 * (ConsoleController) and wins over the static files' wildcard.
 */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const server = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!server || typeof server.register !== 'function') return;
    const dir = consolePublicDir();
    if (!dir) {
      new Logger('ConsoleModule').warn('Web console files not found (src/console/public): serving the API only');
      return;
    }
    // The page and the vendored QR encoder are small and fixed: read once.
    const index = readFileSync(join(dir, 'index.html'));
    const qrcode = readFileSync(qrcodeModulePath());
    const jsqr = readFileSync(jsqrScriptPath());
    const chartPath = chartScriptPath();
    if (!chartPath) new Logger('ConsoleModule').warn('chart.js is not installed (npm ci): the monthly report is shown without charts');
    const chart = chartPath ? readFileSync(chartPath) : undefined;
    // Its own Fastify scope: the console's headers replace helmet's API defaults on every console file.
    void server.register(async (scope) => {
      scope.addHook('onRequest', async (req, reply) => {
        reply.headers(CONSOLE_HEADERS);
        // issue #16: traversal attempts and NUL bytes are a quiet 404 (they reached the static
        // plugin's error path as a 500 with a stack in the log)
        if (oddConsolePath(req.url)) return reply.code(404).type('text/plain; charset=utf-8').send('Not Found');
      });
      scope.get('/', (_req, reply) => reply.type('text/html; charset=utf-8').send(index));
      scope.get('/console', (_req, reply) => reply.type('text/html; charset=utf-8').send(index));
      scope.get('/console/vendor/qrcode.mjs', (_req, reply) => reply.type('text/javascript; charset=utf-8').send(qrcode));
      scope.get('/console/vendor/jsqr.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').send(jsqr));
      if (chart) scope.get('/console/vendor/chart.umd.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').send(chart));
      await scope.register(fastifyStatic, {
        root: dir,
        prefix: '/console/',
        index: 'index.html',
        decorateReply: false, // Swagger UI registers the plugin too
      });
    });
  }
}

/** A path no console file has: undecodable, a NUL byte, a backslash or a `..` segment (after decoding, twice). */
export function oddConsolePath(url: string): boolean {
  let path = url.split('?')[0] ?? '';
  for (let i = 0; i < 2; i++) {
    try {
      path = decodeURIComponent(path);
    } catch {
      return true;
    }
  }
  return /\0|\\/.test(path) || path.split('/').some((segment) => segment === '..' || segment === '.');
}
