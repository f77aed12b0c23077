import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { allows, blockListOf, parseCidr } from '@/network/allow-list';

/**
 * The allow-list screen warns before a list would lock the admin out (src/console/public/js/cidr.js,
 * an ES module with no imports). Load that very file and hold it to the server's rule, so the
 * warning and the server's 409 network.would-lock-out never disagree.
 */
function loadBrowserModule(): { parseCidr: (entry: string) => unknown; listAllows: (entries: string[], address: string) => boolean } {
  const source = readFileSync(join(__dirname, 'public', 'js', 'cidr.js'), 'utf8').replace(/^export /gm, '');
  const sandbox: Record<string, unknown> = {};
  runInNewContext(`${source}\nexports.parseCidr = parseCidr; exports.listAllows = listAllows;`, { exports: sandbox });
  return sandbox as ReturnType<typeof loadBrowserModule>;
}

describe("the console's allow-list check (browser module) agrees with the server", () => {
  const browser = loadBrowserModule();

  it.each([
    ['10.0.0.0/8'],
    ['192.0.2.1'],
    ['2001:db8::/32'],
    ['::1'],
    ['::ffff:192.0.2.1'],
    ['office-lan'],
    ['10.0.0.0/33'],
    ['10.0.0.256'],
    ['1::2::3'],
    ['2001:db8::/129'],
    ['10.0.0.0/8/1'],
    ['10.0.0.0/x'],
  ])('%s is read the same', (entry) => {
    expect(browser.parseCidr(entry) !== null).toBe(parseCidr(entry) !== null);
  });

  it.each([
    [['127.0.0.0/8'], '127.0.0.1'],
    [['10.0.0.0/8'], '127.0.0.1'],
    [['127.0.0.1'], '::ffff:127.0.0.1'],
    [['2001:db8::/32'], '2001:db8::5'],
    [['2001:db8::/32'], '2001:db9::5'],
    [['::1/128'], '::1'],
    [['0.0.0.0/0'], '::1'],
    [['fe80::/10'], 'fe80::1:2:3:4'],
    [['192.0.2.0/24', '198.51.100.7'], '198.51.100.7'],
  ])('%j lets %s in the same way', (list, address) => {
    expect(browser.listAllows(list, address)).toBe(allows(blockListOf(list), address));
  });

  it('agrees on 2,000 random IPv4 blocks and addresses', () => {
    const ip = () => Array.from({ length: 4 }, () => randomInt(256)).join('.');
    for (let i = 0; i < 2000; i++) {
      const list = [`${ip()}/${randomInt(33)}`];
      const address = randomInt(4) === 0 ? list[0]!.split('/')[0]! : ip();
      expect(browser.listAllows(list, address)).toBe(allows(blockListOf(list), address));
    }
  });
});
