import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export type BreachCategory = 'leak' | 'loss' | 'damage';
export type BreachReportKind = 'preliminary' | 'final' | 'people-notice';
export type BreachAlarmKind = 'preliminary' | 'final';

/** The report's free-text items (報告規則第3条第1項の各号), keyed by config/compliance.json reportItems codes. */
export type BreachReportItems = Partial<Record<string, string>>;

export interface BreachIncidentRow {
  id: string;
  title: string;
  category: BreachCategory;
  summary: string;
  occurred_from: Date | null;
  occurred_until: Date | null;
  discovered_at: Date;
  discovered_by: string | null;
  unlawful_purpose: boolean;
  publicly_viewable: boolean;
  system_leak: boolean;
  report: BreachReportItems;
  status: 'open' | 'closed';
  created_by: string;
  created_by_username: string;
  created_at: Date;
  updated_at: Date;
  affected_count: number;
}

export interface BreachReportRow {
  id: string;
  incident_id: string;
  kind: BreachReportKind;
  sent_at: Date;
  means: string;
  reference: string | null;
  note: string | null;
  recorded_by_username: string;
  recorded_at: Date;
}

export interface BreachAlarmRow {
  id: string;
  incident_id: string;
  title: string;
  kind: BreachAlarmKind;
  due_at: Date;
  raised_at: Date;
  raised_by: string;
  status: 'open' | 'resolved';
  resolved_at: Date | null;
}

/** Trail actions that put a number in front of someone: the candidates for "whose numbers leaked". */
export const REVEALING_ACTIONS = ['number.revealed', 'number.bulk-retrieved', 'collection.revealed'] as const;

const INCIDENT_COLUMNS = `i.*, (SELECT count(*)::int FROM breach_affected a WHERE a.incident_id = i.id) AS affected_count`;

/**
 * SQL of the breach register. Reads two tables of other modules, read-only, on purpose: the audit
 * trail (who was shown whose number, when) and subject_number (whose numbers the vault holds),
 * because the people affected must be found in one INSERT … SELECT, not copied through the app.
 */
@Injectable()
export class BreachesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async insert(row: Omit<BreachIncidentRow, 'id' | 'status' | 'affected_count' | 'updated_at'>, m: EntityManager): Promise<string> {
    const [created] = (await m.query(
      `INSERT INTO breach_incident (title, category, summary, occurred_from, occurred_until, discovered_at, discovered_by, unlawful_purpose, publicly_viewable,
                                    system_leak, report, created_by, created_by_username, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
      [
        row.title,
        row.category,
        row.summary,
        row.occurred_from,
        row.occurred_until,
        row.discovered_at,
        row.discovered_by,
        row.unlawful_purpose,
        row.publicly_viewable,
        row.system_leak,
        JSON.stringify(row.report),
        row.created_by,
        row.created_by_username,
        row.created_at,
      ],
    )) as { id: string }[];
    return created!.id;
  }

  async get(id: string, manager?: EntityManager, lock = false): Promise<BreachIncidentRow | null> {
    const rows = (await this.m(manager).query(`SELECT ${INCIDENT_COLUMNS} FROM breach_incident i WHERE i.id = $1${lock ? ' FOR UPDATE' : ''}`, [
      id,
    ])) as BreachIncidentRow[];
    return rows[0] ?? null;
  }

  list(status?: 'open' | 'closed'): Promise<BreachIncidentRow[]> {
    return this.dataSource.query(
      `SELECT ${INCIDENT_COLUMNS} FROM breach_incident i WHERE ($1::text IS NULL OR i.status = $1) ORDER BY i.discovered_at DESC, i.id LIMIT 500`,
      [status ?? null],
    );
  }

  async update(id: string, changes: Partial<Record<string, unknown>>, m: EntityManager): Promise<void> {
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
    if (!entries.length) return;
    const sets = entries.map(([column], i) => `${column} = $${i + 2}`).join(', ');
    await m.query(`UPDATE breach_incident SET ${sets} WHERE id = $1`, [
      id,
      ...entries.map(([, v]) => (v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v)),
    ]);
  }

  /** Everyone shown a number in [from, to) (by one account, or by anyone): returns how many were added. */
  async addFromReveals(incidentId: string, filter: { actorId: string | null; from: Date; to: Date }, at: Date, m: EntityManager): Promise<number> {
    const rows = (await m.query(
      `INSERT INTO breach_affected (incident_id, subject_id, source, added_at)
       SELECT DISTINCT $1::uuid, e.subject_id, 'reveals', $2::timestamptz
         FROM audit_entry e
        WHERE e.action = ANY($3::text[]) AND e.outcome = 'success' AND e.subject_id IS NOT NULL
          AND e.at >= $4 AND e.at < $5 AND ($6::uuid IS NULL OR e.actor_id = $6)
       ON CONFLICT DO NOTHING RETURNING subject_id`,
      [incidentId, at, REVEALING_ACTIONS, filter.from, filter.to, filter.actorId],
    )) as unknown[];
    return rows.length;
  }

  /** Named people (unknown ids are answered, not inserted). */
  async addListed(incidentId: string, subjectIds: string[], at: Date, m: EntityManager): Promise<{ added: number; unknown: string[] }> {
    const known = (await m.query(`SELECT id FROM subject WHERE id = ANY($1::uuid[])`, [subjectIds])) as { id: string }[];
    const knownIds = new Set(known.map((r) => r.id));
    const unknown = subjectIds.filter((id) => !knownIds.has(id));
    const rows = (await m.query(
      `INSERT INTO breach_affected (incident_id, subject_id, source, added_at)
       SELECT $1::uuid, id, 'listed', $2::timestamptz FROM unnest($3::uuid[]) AS id
       ON CONFLICT DO NOTHING RETURNING subject_id`,
      [incidentId, at, [...knownIds]],
    )) as unknown[];
    return { added: rows.length, unknown };
  }

  /** The person ids of the listed codes, and the codes that are nobody on file. */
  async subjectIdsByCode(codes: string[], m: EntityManager): Promise<{ ids: string[]; unknown: string[] }> {
    const rows = (await m.query(`SELECT id, code FROM subject WHERE code = ANY($1::text[])`, [codes])) as { id: string; code: string }[];
    const found = new Set(rows.map((r) => r.code));
    return { ids: rows.map((r) => r.id), unknown: codes.filter((c) => !found.has(c)) };
  }

  /** Everyone whose number the vault holds now (a stolen database or backup). */
  async addOnFile(incidentId: string, at: Date, m: EntityManager): Promise<number> {
    const rows = (await m.query(
      `INSERT INTO breach_affected (incident_id, subject_id, source, added_at)
       SELECT $1::uuid, subject_id, 'on-file', $2::timestamptz FROM subject_number
       ON CONFLICT DO NOTHING RETURNING subject_id`,
      [incidentId, at],
    )) as unknown[];
    return rows.length;
  }

  affected(
    incidentId: string,
    limit: number,
    after: string | null,
  ): Promise<{ subject_id: string; code: string; kind: string; name: string; source: string; added_at: Date }[]> {
    return this.dataSource.query(
      `SELECT a.subject_id, s.code, s.kind, s.name, a.source, a.added_at
         FROM breach_affected a JOIN subject s ON s.id = a.subject_id
        WHERE a.incident_id = $1 AND ($2::text IS NULL OR s.code > $2)
        ORDER BY s.code LIMIT $3`,
      [incidentId, after, limit],
    );
  }

  affectedBySource(incidentId: string): Promise<{ source: string; count: number }[]> {
    return this.dataSource.query(`SELECT source, count(*)::int AS count FROM breach_affected WHERE incident_id = $1 GROUP BY source ORDER BY source`, [
      incidentId,
    ]);
  }

  async insertReport(
    row: Omit<BreachReportRow, 'id' | 'recorded_by_username'> & { recorded_by: string; recorded_by_username: string },
    m: EntityManager,
  ): Promise<string | null> {
    const rows = (await m.query(
      `INSERT INTO breach_report (incident_id, kind, sent_at, means, reference, note, recorded_by, recorded_by_username, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (incident_id, kind) WHERE kind IN ('preliminary', 'final') DO NOTHING RETURNING id`,
      [row.incident_id, row.kind, row.sent_at, row.means, row.reference, row.note, row.recorded_by, row.recorded_by_username, row.recorded_at],
    )) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  reports(incidentId: string, manager?: EntityManager): Promise<BreachReportRow[]> {
    return this.m(manager).query(
      `SELECT id, incident_id, kind, sent_at, means, reference, note, recorded_by_username, recorded_at FROM breach_report WHERE incident_id = $1 ORDER BY sent_at, recorded_at`,
      [incidentId],
    );
  }

  /** Opens the alarm unless it exists (idempotent: a repeated, late or duplicated job raises it once). */
  async raiseAlarm(incidentId: string, kind: BreachAlarmKind, dueAt: Date, raisedBy: string, at: Date): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO breach_alarm (incident_id, kind, due_at, raised_at, raised_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (incident_id, kind) DO NOTHING RETURNING id`,
      [incidentId, kind, dueAt, at, raisedBy],
    )) as unknown[];
    return rows.length > 0;
  }

  async resolveAlarms(incidentId: string, kinds: BreachAlarmKind[], at: Date, m: EntityManager): Promise<void> {
    await m.query(`UPDATE breach_alarm SET status = 'resolved', resolved_at = $3 WHERE incident_id = $1 AND kind = ANY($2::text[]) AND status = 'open'`, [
      incidentId,
      kinds,
      at,
    ]);
  }

  alarms(status: 'open' | 'resolved' | null, incidentId?: string): Promise<BreachAlarmRow[]> {
    return this.dataSource.query(
      `SELECT a.*, i.title FROM breach_alarm a JOIN breach_incident i ON i.id = a.incident_id
        WHERE ($1::text IS NULL OR a.status = $1) AND ($2::uuid IS NULL OR a.incident_id = $2)
        ORDER BY a.due_at, a.kind LIMIT 500`,
      [status, incidentId ?? null],
    );
  }

  countOpenAlarms(): Promise<number> {
    return this.dataSource.query(`SELECT count(*)::int AS n FROM breach_alarm WHERE status = 'open'`).then((r: { n: number }[]) => r[0]?.n ?? 0);
  }

  openIncidentIds(): Promise<string[]> {
    return this.dataSource.query(`SELECT id FROM breach_incident WHERE status = 'open'`).then((r: { id: string }[]) => r.map((x) => x.id));
  }
}
