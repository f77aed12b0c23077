import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';

/** Every label the console asks for exists in Japanese and in English, and no label holds a number-like digit run. */
describe('console dictionary', () => {
  const dir = join(__dirname, 'public', 'js');
  const source = readFileSync(join(dir, 'i18n.js'), 'utf8').replace(/^export /gm, '');
  const sandbox: { DICTIONARIES?: Record<'ja' | 'en', Record<string, string>> } = {};
  runInNewContext(`${source}\nexports.DICTIONARIES = DICTIONARIES;`, { exports: sandbox });
  const { ja, en } = sandbox.DICTIONARIES!;

  it('has the same keys in both languages', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
  });

  it('knows every key the screens use', () => {
    const used = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
      for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/\bt\('([a-zA-Z.-]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !(k in ja))).toEqual([]);
  });

  it('holds no long digit runs', () => {
    expect(Object.values({ ...ja, ...en }).filter((v) => /\d{8,}/.test(v))).toEqual([]);
  });
});
