import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { checkDigit, normaliseMyNumber } from '@/numbers/my-number';

/**
 * The console checks numbers in the browser (src/console/public/js/my-number.js, an ES module
 * with no imports). Load that very file and hold it to the server's algorithm: the same vectors,
 * and random numbers, so the instant feedback never disagrees with what the server accepts.
 */
function loadBrowserModule(): { checkDigit: (base: string) => number; normaliseMyNumber: (input: unknown) => { ok: boolean; digits?: string } } {
  const source = readFileSync(join(__dirname, 'public', 'js', 'my-number.js'), 'utf8').replace(/^export /gm, '');
  const sandbox: Record<string, unknown> = {};
  runInNewContext(`${source}\nexports.checkDigit = checkDigit; exports.normaliseMyNumber = normaliseMyNumber;`, { exports: sandbox });
  return sandbox as ReturnType<typeof loadBrowserModule>;
}

describe("the console's check digit (browser module) agrees with the server", () => {
  const browser = loadBrowserModule();

  it.each([
    ['123456789018', true],
    ['983205673214', true],
    ['111111111118', true],
    ['123456789010', false],
    ['12345678901', false],
    ['１２３４ ５６７８ ９０１８', true],
    ['1234-5678-9018', true],
    ['12345678901a', false],
    ['', false],
  ])('%s → %s', (input, ok) => {
    expect(browser.normaliseMyNumber(input).ok).toBe(ok);
    expect(normaliseMyNumber(input).ok).toBe(ok);
  });

  it('gives the same check digit as the server for 2,000 random bases', () => {
    for (let i = 0; i < 2000; i++) {
      const base = Array.from({ length: 11 }, () => String(randomInt(10))).join('');
      expect(browser.checkDigit(base)).toBe(checkDigit(base));
    }
  });

  it('never puts the digits into its reasons', () => {
    const result = browser.normaliseMyNumber('123456789010') as { ok: boolean; reason?: string };
    expect(result.reason).not.toMatch(/\d{4,}/);
  });
});
