import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import express, { NextFunction, Request, Response } from 'express';
import { join } from 'node:path';
import { CONSOLE_CSP, consolePublicDir, qrcodeModulePath } from './console-assets';
import { ConsoleController } from './console.controller';

/** Headers for every console file: the strict CSP, no caching of the page itself. */
function consoleHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-cache');
}

/**
 * The web console (issue #8): static HTML, CSS and ES modules at `/` and `/console/…`, a client
 * of the public API like any other. Mounted on the Express instance when the module initialises
 * (after the API routes, before the 404 handler), so the test application serves it too.
 */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const server = this.adapterHost.httpAdapter?.getInstance?.() as express.Express | undefined;
    if (!server || typeof server.use !== 'function') return;
    const dir = consolePublicDir();
    if (!dir) {
      new Logger('ConsoleModule').warn('Web console files not found (src/console/public): serving the API only');
      return;
    }
    const index = join(dir, 'index.html');
    const sendIndex = (_req: Request, res: Response) => {
      consoleHeaders(res);
      res.sendFile(index);
    };
    server.get('/', sendIndex);
    server.get('/console', sendIndex);
    server.get('/console/vendor/qrcode.mjs', (_req: Request, res: Response) => {
      consoleHeaders(res);
      res.type('text/javascript').sendFile(qrcodeModulePath());
    });
    server.use(
      '/console',
      express.static(dir, { index: 'index.html', fallthrough: true, setHeaders: (res) => consoleHeaders(res as Response) }),
      (_req: Request, _res: Response, next: NextFunction) => next(),
    );
  }
}
