// Global set-up runs outside jest's module mapper: resolve the '@/…' paths src/ uses (tsconfig.json).
import 'tsconfig-paths/register';
import globalSetup from '../../support/global-setup';

/**
 * The browser project shares the e2e project's per-run database: when jest runs both projects,
 * the e2e project's global setup has already made it (DATABASE_URL names an mnv_test_ database),
 * so this one only runs the setup when the browser project runs alone.
 */
export default async function browserGlobalSetup(): Promise<void> {
  if (/\/mnv_test_/.test(process.env.DATABASE_URL ?? '')) return;
  await globalSetup();
}
