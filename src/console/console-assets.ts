import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Where the console's static files are: `public` beside this file (`src/console/public`, or
 * `dist/src/console/public`, which `npm run build` copies for the Docker image), else the source
 * tree seen from dist. Undefined when neither exists (the API then runs without the console).
 */
export function consolePublicDir(): string | undefined {
  const candidates = [join(__dirname, 'public'), resolve(__dirname, '..', '..', '..', 'src', 'console', 'public')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/** The QR code encoder (qrcode-generator, MIT) as an ES module, served locally: no CDN. */
export function qrcodeModulePath(): string {
  return join(dirname(require.resolve('qrcode-generator')), 'qrcode.mjs');
}

/** The QR code decoder (jsQR, Apache-2.0; plain JavaScript, no WebAssembly, so the CSP stays strict) for the unseal page's image upload. */
export function jsqrScriptPath(): string {
  return require.resolve('jsqr');
}

/** Chart.js (MIT, UMD build: sets `window.Chart`) for the monthly report's charts (issue #19), served locally: no CDN. */
export function chartScriptPath(): string | undefined {
  try {
    // the package's main entry is dist/chart.cjs; the UMD build sits beside it
    const path = join(dirname(require.resolve('chart.js')), 'chart.umd.js');
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined; // not installed (a checkout whose node_modules predates it): the report shows its tables without charts
  }
}

/**
 * The console's Content-Security-Policy: scripts and styles only from this origin (no inline
 * code, no eval), API calls only to this origin, no framing, no plugins, forms post nowhere.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
