import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runInNewContext } from 'node:vm';
import { ERROR_CODES } from './error-codes';

const SRC = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'public' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * The registry of error codes, the throw sites and the console's dictionaries agree: every code a
 * throw site names is registered, every registered code has a Japanese and an English text, and
 * no exception is built from a bare message (it would answer the fallback http.<status>).
 */
describe('error codes', () => {
  const registry = new Set(Object.keys(ERROR_CODES));
  const files = sourceFiles(SRC).map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }));
  const source = readFileSync(join(SRC, 'console', 'public', 'js', 'i18n.js'), 'utf8').replace(/^export /gm, '');
  const sandbox: { DICTIONARIES?: Record<'ja' | 'en', Record<string, string>> } = {};
  runInNewContext(`${source}\nexports.DICTIONARIES = DICTIONARIES;`, { exports: sandbox, localStorage: undefined });
  const { ja, en } = sandbox.DICTIONARIES!;

  it('are dotted lowercase, as the exception filter accepts them', () => {
    expect([...registry].filter((c) => !/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/.test(c))).toEqual([]);
  });

  it('each have a Japanese and an English text in the console', () => {
    expect([...registry].filter((c) => !ja[`error.${c}`])).toEqual([]);
    expect([...registry].filter((c) => !en[`error.${c}`])).toEqual([]);
    // and the Japanese text is Japanese
    expect([...registry].filter((c) => !/[\u3040-\u30ff\u4e00-\u9fff]/.test(ja[`error.${c}`] ?? ''))).toEqual([]);
  });

  it('are all registered where the server uses them', () => {
    const used = new Map<string, string>();
    for (const { path, text } of files) {
      for (const m of text.matchAll(/\bcode: '([a-z][a-z0-9-]*\.[a-z0-9.-]+)'/g)) used.set(m[1]!, path);
      for (const m of text.matchAll(/TooManyRequestsException\([^,]+, (?:'[^']*'|`[^`]*`), '([a-z.-]+)'/g)) used.set(m[1]!, path);
      for (const m of text.matchAll(/^\s+'([a-z][a-z0-9-]*\.[a-z0-9.-]+)',?\s*$/gm)) if (/TooManyRequestsException/.test(text)) used.set(m[1]!, path);
      for (const m of text.matchAll(/_CODE = '([a-z][a-z0-9-]*\.[a-z0-9.-]+)'/g)) used.set(m[1]!, path);
      for (const m of text.matchAll(/assertNotFuture\([^;]*?'([a-z][a-z0-9-]*\.[a-z0-9.-]+)'\)/g)) used.set(m[1]!, path);
      for (const m of text.matchAll(/this\.refuse\([^,]+, '([a-z][a-z0-9-]*\.[a-z0-9.-]+)'/g)) used.set(m[1]!, path);
    }
    expect(used.size).toBeGreaterThan(60);
    expect([...used].filter(([code]) => !registry.has(code)).map(([code, path]) => `${path}: ${code}`)).toEqual([]);
  });

  it('are given at every throw site (no exception from a bare message)', () => {
    const bare: string[] = [];
    for (const { path, text } of files) {
      for (const m of text.matchAll(/new (\w*Exception)\(\s*(['"`]|[A-Z_][A-Z0-9_]*\s*[,)]|\))/g)) {
        if (m[1] === 'HttpException' || m[1] === 'TooManyRequestsException') continue;
        bare.push(`${path}: ${m[0]}`);
      }
    }
    expect(bare).toEqual([]);
  });
});
