import { databaseUrls, urlUser } from './database-urls';

const base = { DATABASE_APP_ROLE: 'mynumber_app', DATABASE_POOL_SIZE: 2 };

describe('databaseUrls: the service logs in as the application role (issue #16)', () => {
  it('with DATABASE_MIGRATION_URL: the owner migrates, DATABASE_URL (the app role, its password) serves', () => {
    const urls = databaseUrls({
      ...base,
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://mynumber_app:app%40pw@db:5432/v',
      DATABASE_MIGRATION_URL: 'postgres://vault_owner:o@db:5432/v',
    });
    expect(urls).toEqual({
      app: 'postgres://mynumber_app:app%40pw@db:5432/v',
      owner: 'postgres://vault_owner:o@db:5432/v',
      appRole: 'mynumber_app',
      appPassword: 'app@pw',
    });
  });

  it('with DATABASE_MIGRATION_URL, DATABASE_URL must log in as the app role, and the owner must be someone else', () => {
    expect(() => databaseUrls({ ...base, DATABASE_URL: 'postgres://postgres@db/v', DATABASE_MIGRATION_URL: 'postgres://postgres@db/v' })).toThrow(
      /DATABASE_URL logs in as "postgres".*DATABASE_APP_ROLE=mynumber_app/,
    );
    expect(() => databaseUrls({ ...base, DATABASE_URL: 'postgres://mynumber_app@db/v', DATABASE_MIGRATION_URL: 'postgres://mynumber_app@db/v' })).toThrow(
      /DATABASE_MIGRATION_URL logs in as the application role/,
    );
  });

  it('the app role alone: no owner, no migrations, no password invented', () => {
    expect(databaseUrls({ ...base, NODE_ENV: 'production', DATABASE_URL: 'postgres://mynumber_app:x@db/v' })).toEqual({
      app: 'postgres://mynumber_app:x@db/v',
      owner: null,
      appRole: 'mynumber_app',
      appPassword: null,
    });
  });

  it('production refuses DATABASE_URL of another user (the owner, a superuser), naming DATABASE_MIGRATION_URL', () => {
    expect(() => databaseUrls({ ...base, NODE_ENV: 'production', DATABASE_URL: 'postgres://vault_owner:o@db/v' })).toThrow(/DATABASE_MIGRATION_URL/);
  });

  it('outside production another user is the owner, and the app logs in as the app role on the same server', () => {
    const trust = databaseUrls({ ...base, NODE_ENV: 'development', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/v' });
    expect(trust).toEqual({
      app: 'postgres://mynumber_app@127.0.0.1:5432/v',
      owner: 'postgres://postgres@127.0.0.1:5432/v',
      appRole: 'mynumber_app',
      appPassword: null,
    });
    // trial mode's embedded server (scram): a password derived from the owner's, the same in every process
    const trial = databaseUrls({ ...base, NODE_ENV: 'development', DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:5999/v' });
    expect(trial.appPassword).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(trial.appPassword).not.toContain('secret');
    expect(databaseUrls({ ...base, NODE_ENV: 'test', DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:5999/v' }).appPassword).toBe(trial.appPassword);
    expect(urlUser(trial.app)).toBe('mynumber_app');
    expect(new URL(trial.app).password).toBe(trial.appPassword);
  });
});
