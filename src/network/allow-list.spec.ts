import { allows, blockListOf, normalizeAddress, parseCidr } from './allow-list';

describe('IP allow-list entries', () => {
  it.each([
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['192.0.2.7', { address: '192.0.2.7', prefix: 32, family: 'ipv4' }],
    ['2001:db8::/32', { address: '2001:db8::', prefix: 32, family: 'ipv6' }],
  ])('parses %s', (entry, expected) => expect(parseCidr(entry)).toEqual(expected));

  it.each(['10.0.0.0/33', '10.0.0/8', 'office', '10.0.0.0/8/1', '::1/129', '10.0.0.0/-1', ''])('refuses %s', (entry) => expect(parseCidr(entry)).toBeNull());

  it('matches IPv4, IPv4-mapped IPv6 and IPv6 addresses against the subnets', () => {
    const list = blockListOf(['127.0.0.2/32', '10.1.0.0/16', '2001:db8::/32']);
    expect(allows(list, '127.0.0.2')).toBe(true);
    expect(allows(list, '::ffff:127.0.0.2')).toBe(true);
    expect(allows(list, '127.0.0.1')).toBe(false);
    expect(allows(list, '10.1.255.3')).toBe(true);
    expect(allows(list, '10.2.0.1')).toBe(false);
    expect(allows(list, '2001:db8::5')).toBe(true);
    expect(allows(list, 'not-an-address')).toBe(false);
    expect(normalizeAddress('::FFFF:192.0.2.1')).toBe('192.0.2.1');
  });
});
