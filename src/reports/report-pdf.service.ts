import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Browser, Route } from 'playwright-core';
import { chartScriptPath, consolePublicDir } from '@/console/console-assets';
import { Env } from '@/config/env.schema';
import { LegalDataService } from '@/config/legal-data.service';
import { ReportsService } from './reports.service';

/** The made-up origin the report page is served from inside Chromium: every request is answered here, none goes out. */
const ORIGIN = 'http://report.invalid';
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
/** A4 minus the console's print margins (@page 14 mm × 12 mm): the page is laid out as it will be printed. */
const A4_CONTENT_VIEWPORT = { width: Math.round(((210 - 24) / 25.4) * 96), height: Math.round(((297 - 28) / 25.4) * 96) };

/**
 * 取扱状況の確認 as a PDF made on the server (issue #19): Debian's Chromium (CHROMIUM_PATH), driven
 * by playwright-core, renders the console's own report page (report.js, the same tables and the
 * Chart.js charts, print styles) with the report computed here, waits until the charts are
 * drawn, and prints it on A4. The page gets no session and reaches nothing: its requests for the
 * console's files and for the report are answered from this process. One PDF at a time.
 */
@Injectable()
export class ReportPdfService {
  private readonly logger = new Logger(ReportPdfService.name);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly reports: ReportsService,
    private readonly legal: LegalDataService,
    private readonly config: ConfigService<Env, true>,
  ) {}

  /** The month's report as PDF bytes; 400 for a bad month (before Chromium starts), 503 when Chromium is missing or fails. */
  async monthlyPdf(month: string): Promise<Buffer> {
    const report = await this.reports.monthly(month);
    const run = this.queue.then(() => this.render(report.month, report));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async render(month: string, report: unknown): Promise<Buffer> {
    const executablePath = this.config.get('CHROMIUM_PATH', { infer: true });
    try {
      await access(executablePath, constants.X_OK);
    } catch {
      throw unavailable(`Chromium is not installed at CHROMIUM_PATH (${executablePath}): the report is available as HTML; install chromium for the PDF`);
    }
    const publicDir = consolePublicDir();
    const chartPath = chartScriptPath();
    if (!publicDir || !chartPath) throw unavailable('The console files or Chart.js are missing from this installation (npm ci): the PDF cannot be drawn');
    const timeout = this.config.get('REPORT_PDF_TIMEOUT_MS', { infer: true });
    const started = Date.now();
    let browser: Browser | null = null;
    try {
      // loaded here: playwright-core is needed only when a PDF is asked for
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath, headless: true, timeout, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
      const context = await browser.newContext({ viewport: A4_CONTENT_VIEWPORT, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
      context.setDefaultTimeout(timeout);
      await context.route('**/*', (route) => this.answer(route, publicDir, chartPath, month, report));
      const page = await context.newPage();
      await page.emulateMedia({ media: 'print' });
      await page.goto(`${ORIGIN}/print/report.html`);
      await page.locator('[data-test="report-sheet"][data-charts="drawn"]').waitFor({ state: 'attached' });
      const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
      this.logger.log(`Monthly report ${month} printed to PDF (${pdf.length} bytes) in ${Date.now() - started} ms`);
      return pdf;
    } catch (error) {
      this.logger.error(`Monthly report PDF failed after ${Date.now() - started} ms: ${(error as Error).message.split('\n')[0]}`);
      throw unavailable('Chromium could not draw the report (it did not start, or the charts were not drawn in time): try again, or print the HTML report');
    } finally {
      await browser?.close().catch(() => undefined);
    }
  }

  /** Every request of the page: the console's files, Chart.js, the page itself and the report's JSON; anything else is refused. */
  private async answer(route: Route, publicDir: string, chartPath: string, month: string, report: unknown): Promise<void> {
    const url = new URL(route.request().url());
    if (url.origin !== ORIGIN) return route.abort('blockedbyclient');
    const path = decodeURIComponent(url.pathname);
    if (path === '/print/report.html') {
      return route.fulfill({ status: 200, contentType: TYPES['.html'], body: PRINT_PAGE });
    }
    if (path === '/print/context.json') {
      const reference = { purposes: this.legal.purposes.map((p) => ({ code: p.code, label: p.label, labelEn: p.labelEn, kinds: p.kinds })) };
      return route.fulfill({ status: 200, contentType: TYPES['.json'], body: JSON.stringify({ month, reference }) });
    }
    if (path === `/reports/monthly/${month}`) return route.fulfill({ status: 200, contentType: TYPES['.json'], body: JSON.stringify(report) });
    if (path === '/console/vendor/chart.umd.js') return route.fulfill({ status: 200, contentType: TYPES['.js'], body: await readFile(chartPath) });
    if (path.startsWith('/console/')) {
      const file = normalize(join(publicDir, path.slice('/console/'.length)));
      if (file.startsWith(publicDir + sep) && TYPES[extname(file)]) {
        try {
          return await route.fulfill({ status: 200, contentType: TYPES[extname(file)], body: await readFile(file) });
        } catch {
          // not found: below
        }
      }
    }
    return route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
  }
}

function unavailable(message: string): ServiceUnavailableException {
  return new ServiceUnavailableException({ code: 'report.pdf-unavailable', message });
}

/** The print page: the console's styles and the report screen (js/report-print.js), nothing else. */
const PRINT_PAGE = `<!doctype html>
<html lang="ja">
<head>
  <meta charset="utf-8">
  <title>取扱状況の確認</title>
  <link rel="stylesheet" href="/console/css/console.css">
  <script type="module" src="/console/js/report-print.js"></script>
</head>
<body><main id="app"></main></body>
</html>`;
