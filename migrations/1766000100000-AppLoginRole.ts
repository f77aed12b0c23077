import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #16, finding 3: the application logs in as its own role (prepareDatabase creates it),
 * so its grants are the whole boundary. This migration takes away what that role could still
 * abuse:
 *
 * - It may not choose an audit entry's `seq` (one entry at seq 999999 made every later audited
 *   request fail). The sealer's gap entries for numbers of rolled-back transactions, the only
 *   entries with a chosen seq, go through audit_fill_gap(): SECURITY DEFINER, owned by the owner,
 *   fixed search_path, and only for numbers the sequence has already handed out (at most 10000
 *   at a time); existing entries are never touched (ON CONFLICT DO NOTHING).
 * - It may read which migrations ran (the service checks for pending ones at start-up when it
 *   has no owner URL) but not write them.
 * - Nobody but the owner creates objects in the public schema (PostgreSQL 14 and older let
 *   every role do that).
 */
export class AppLoginRole1766000100000 implements MigrationInterface {
  name = 'AppLoginRole1766000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_fill_gap(p_from bigint, p_to bigint, p_at timestamptz) RETURNS SETOF bigint
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
      DECLARE issued bigint;
      BEGIN
        IF p_from IS NULL OR p_to IS NULL OR p_at IS NULL OR p_from < 1 OR p_to < p_from OR p_to - p_from >= 10000 THEN
          RAISE EXCEPTION 'audit_fill_gap: % .. % is not a range of at most 10000 sequence numbers', p_from, p_to USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT CASE WHEN s.is_called THEN s.last_value ELSE s.last_value - 1 END INTO issued FROM public.audit_entry_seq_seq s;
        IF p_to > issued THEN
          RAISE EXCEPTION 'audit_fill_gap: sequence number % was never handed out', p_to USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN QUERY
          WITH filled AS (
            INSERT INTO public.audit_entry (seq, at, action, outcome, details)
            SELECT g, p_at, 'audit.gap', 'failure', jsonb_build_object('reason', 'sequence number of a rolled-back transaction')
              FROM generate_series(p_from, p_to) AS g
            ON CONFLICT (seq) DO NOTHING
            RETURNING public.audit_entry.seq)
          SELECT filled.seq FROM filled;
      END $$`);
    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('mynumber.app_role', true), ''), 'mynumber_app');
      BEGIN
        EXECUTE format('REVOKE INSERT (seq) ON audit_entry FROM %I', app);
        REVOKE ALL ON FUNCTION audit_fill_gap(bigint, bigint, timestamptz) FROM PUBLIC;
        EXECUTE format('GRANT EXECUTE ON FUNCTION audit_fill_gap(bigint, bigint, timestamptz) TO %I', app);
        EXECUTE format('REVOKE ALL ON typeorm_migrations FROM %I', app);
        EXECUTE format('GRANT SELECT ON typeorm_migrations TO %I', app);
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      DECLARE app text := coalesce(nullif(current_setting('mynumber.app_role', true), ''), 'mynumber_app');
      BEGIN
        EXECUTE format('REVOKE ALL ON typeorm_migrations FROM %I', app);
        EXECUTE format('GRANT INSERT (seq) ON audit_entry TO %I', app);
      END $$`);
    await q.query(`DROP FUNCTION audit_fill_gap(bigint, bigint, timestamptz)`);
  }
}
