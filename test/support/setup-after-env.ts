// Integration and e2e specs start the real service against PostgreSQL and Redis.
jest.setTimeout(60000);
