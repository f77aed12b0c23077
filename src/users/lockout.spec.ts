import { lockPeriodMinutes } from './lockout';

describe('lockPeriodMinutes', () => {
  const periods = [1, 5, 15, 60];
  it.each([
    [0, 1],
    [1, 5],
    [2, 15],
    [3, 60],
    [9, 60],
  ])('after %i earlier locks the next lasts %i minutes', (locks, minutes) => {
    expect(lockPeriodMinutes(periods, locks)).toBe(minutes);
  });
});
