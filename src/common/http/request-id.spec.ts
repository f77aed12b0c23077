import type { IncomingMessage } from 'node:http';
import { isNumberLike } from '../screening/number-like';
import { numberLikeRequestId, requestIdFor } from './request-id';

const request = (headers: Record<string, string | string[]>) => ({ headers }) as unknown as IncomingMessage;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFor', () => {
  it("keeps the caller's X-Request-Id when it is a plain token", () => {
    expect(requestIdFor(request({ 'x-request-id': 'req-reveal-1' }))).toBe('req-reveal-1');
    expect(requestIdFor(request({ 'x-request-id': 'A.b_c-9' }))).toBe('A.b_c-9');
  });

  it('makes a new UUID when there is none, or it is not a plain token (it goes into logs and the audit trail)', () => {
    expect(requestIdFor(request({}))).toMatch(UUID);
    for (const given of ['', 'a b', 'x'.repeat(65), '<script>', 'id\nforged-line']) {
      expect(requestIdFor(request({ 'x-request-id': given }))).toMatch(UUID);
    }
    expect(requestIdFor(request({ 'x-request-id': ['a', 'b'] }))).toMatch(UUID);
  });

  it('never keeps a number-like id (issue #16), and never makes one', () => {
    for (const given of ['983205673214', 'req-1234-5678-9018', 'a123456789018']) {
      expect(requestIdFor(request({ 'x-request-id': given }))).toMatch(UUID);
      expect(numberLikeRequestId(request({ 'x-request-id': given }))).toBe(true);
    }
    expect(numberLikeRequestId(request({ 'x-request-id': 'req-reveal-1' }))).toBe(false);
    for (let i = 0; i < 2000; i++) expect(isNumberLike(requestIdFor(request({})))).toBe(false);
  });
});
