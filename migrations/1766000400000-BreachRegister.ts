import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 漏えい等報告 (番号法29条の4; issue #19): incidents, the people affected (found from the trail or
 * listed), the reports sent to the PPC (速報, 確報) and the notice to the people, and the deadline
 * alarms (one per incident and kind).
 */
export class BreachRegister1766000400000 implements MigrationInterface {
  name = 'BreachRegister1766000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE breach_incident (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        title text NOT NULL,
        category text NOT NULL CHECK (category IN ('leak', 'loss', 'damage')),
        summary text NOT NULL,
        occurred_from timestamptz,
        occurred_until timestamptz,
        discovered_at timestamptz NOT NULL,
        discovered_by text,
        unlawful_purpose boolean NOT NULL DEFAULT false,
        publicly_viewable boolean NOT NULL DEFAULT false,
        system_leak boolean NOT NULL DEFAULT false,
        report jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        created_by uuid NOT NULL,
        created_by_username text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (occurred_until IS NULL OR occurred_from IS NULL OR occurred_until >= occurred_from)
      )`);
    await q.query(`
      CREATE TABLE breach_affected (
        incident_id uuid NOT NULL REFERENCES breach_incident(id),
        subject_id uuid NOT NULL,
        source text NOT NULL CHECK (source IN ('reveals', 'listed', 'on-file')),
        added_at timestamptz NOT NULL,
        PRIMARY KEY (incident_id, subject_id)
      )`);
    await q.query(`
      CREATE TABLE breach_report (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES breach_incident(id),
        kind text NOT NULL CHECK (kind IN ('preliminary', 'final', 'people-notice')),
        sent_at timestamptz NOT NULL,
        means text NOT NULL,
        reference text,
        note text,
        recorded_by uuid NOT NULL,
        recorded_by_username text NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX breach_report_once ON breach_report (incident_id, kind) WHERE kind IN ('preliminary', 'final')`);
    await q.query(`
      CREATE TABLE breach_alarm (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES breach_incident(id),
        kind text NOT NULL CHECK (kind IN ('preliminary', 'final')),
        due_at timestamptz NOT NULL,
        raised_at timestamptz NOT NULL,
        raised_by text NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        resolved_at timestamptz,
        UNIQUE (incident_id, kind)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE breach_alarm`);
    await q.query(`DROP TABLE breach_report`);
    await q.query(`DROP TABLE breach_affected`);
    await q.query(`DROP TABLE breach_incident`);
  }
}
