import { backoffSeconds } from './lockout';

describe('backoffSeconds', () => {
  const rule = { free: 5, baseSeconds: 30, capSeconds: 900 };
  it.each([
    [0, 0],
    [4, 0],
    [5, 30],
    [6, 60],
    [7, 120],
    [9, 480],
    [10, 900],
    [1000, 900],
  ])('after %i failures the next attempt waits %i s (bounded)', (failures, seconds) => {
    expect(backoffSeconds(rule, failures)).toBe(seconds);
  });
});
