import { demoRefusal } from './demo';

/** Issue #22: the demo runs only in trial mode, says why otherwise, and never advises deleting DATA_DIR (the keystore). */
describe('npm run demo: trial mode only', () => {
  it('runs in trial mode', () => {
    expect(demoRefusal({ mode: 'trial', reason: 'TRIAL_MODE=always' })).toBeNull();
  });

  it.each(['DATABASE_URL is set', 'PostgreSQL answers at 127.0.0.1:5432', 'TRIAL_MODE=never'])(
    'refuses a real database (%s), saying why and what to do',
    (reason) => {
      const text = demoRefusal({ mode: 'standard', reason })!;
      expect(text).toContain(reason);
      expect(text).toMatch(/only in trial mode/);
      expect(text).toMatch(/Nothing was changed/);
      expect(text).not.toMatch(/delete|remove/i);
    },
  );
});
