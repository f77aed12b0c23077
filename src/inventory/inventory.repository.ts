import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface OtherFileRow {
  id: string;
  name: string;
  medium: 'paper' | 'electronic';
  purposes: string[];
  items: string;
  department: string;
  location: string;
  access: string;
  retention: string;
  disposal_method: string | null;
  note: string | null;
  status: 'active' | 'retired';
  created_by_username: string;
  created_at: Date;
  updated_at: Date;
}

export interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  roles: string[];
  pending_roles: string[];
  firm_name: string | null;
  firm_purposes: string[] | null;
  firm_access_until: Date | null;
}

const OTHER_FILE_COLUMNS = [
  'name',
  'medium',
  'purposes',
  'items',
  'department',
  'location',
  'access',
  'retention',
  'disposal_method',
  'note',
  'status',
] as const;
export type OtherFileColumn = (typeof OTHER_FILE_COLUMNS)[number];

/**
 * SQL of the file inventory (台帳). Its aggregates read other modules' tables, read-only and
 * counting only (numbers on file per kind and purpose, collection data, disposals, exports in the
 * trail, active accounts): the 台帳 describes what the vault holds, so it must read what is there.
 */
@Injectable()
export class InventoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  numbersByKind(): Promise<{ kind: string; count: number }[]> {
    return this.dataSource.query(
      `SELECT s.kind, count(*)::int AS count FROM subject_number n JOIN subject s ON s.id = n.subject_id GROUP BY s.kind ORDER BY s.kind`,
    );
  }

  numbersByPurpose(): Promise<{ purpose: string; count: number }[]> {
    return this.dataSource.query(
      `SELECT p.purpose, count(*)::int AS count FROM subject_purpose p JOIN subject_number n ON n.subject_id = p.subject_id GROUP BY p.purpose ORDER BY p.purpose`,
    );
  }

  keyVersions(): Promise<{ key_version: number; count: number }[]> {
    return this.dataSource.query(`SELECT key_version, count(*)::int AS count FROM subject_number GROUP BY key_version ORDER BY key_version`);
  }

  async disposals(): Promise<{ count: number; last: Date | null }> {
    const [row] = (await this.dataSource.query(`SELECT count(*)::int AS count, max(disposed_at) AS last FROM disposal_record`)) as {
      count: number;
      last: Date | null;
    }[];
    return row ?? { count: 0, last: null };
  }

  async collection(): Promise<{ waiting: number; entries: number; images: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT (SELECT count(*)::int FROM collection_submission WHERE status = 'waiting') AS waiting,
              (SELECT count(*)::int FROM collection_entry WHERE ciphertext IS NOT NULL) AS entries,
              (SELECT count(*)::int FROM collection_image) AS images`,
    )) as { waiting: number; entries: number; images: number }[];
    return row ?? { waiting: 0, entries: 0, images: 0 };
  }

  exportsSince(since: Date): Promise<{ kind: string; count: number; rows: number; last: Date }[]> {
    return this.dataSource.query(
      `SELECT coalesce(details->'transfer'->>'kind', 'take-out') AS kind, count(*)::int AS count, coalesce(sum((details->>'rows')::int), 0)::int AS rows, max(at) AS last
         FROM audit_entry WHERE action = 'number.exported' AND outcome = 'success' AND at >= $1
        GROUP BY 1 ORDER BY 1`,
      [since],
    );
  }

  activeAccounts(): Promise<AccountRow[]> {
    return this.dataSource.query(
      `SELECT u.id, u.username, u.display_name, u.roles, u.pending_roles, f.name AS firm_name, f.purposes AS firm_purposes, f.access_until AS firm_access_until
         FROM staff_user u LEFT JOIN outside_firm f ON f.id = u.firm_id
        WHERE u.status = 'active' ORDER BY u.username`,
    );
  }

  otherFiles(includeRetired: boolean): Promise<OtherFileRow[]> {
    return this.dataSource.query(`SELECT * FROM inventory_other_file WHERE ($1 OR status = 'active') ORDER BY created_at, id`, [includeRetired]);
  }

  async getOtherFile(id: string, m: EntityManager): Promise<OtherFileRow | null> {
    const rows = (await m.query(`SELECT * FROM inventory_other_file WHERE id = $1 FOR UPDATE`, [id])) as OtherFileRow[];
    return rows[0] ?? null;
  }

  async insertOtherFile(row: Omit<OtherFileRow, 'id' | 'status' | 'updated_at'>, m: EntityManager): Promise<OtherFileRow> {
    const [created] = (await m.query(
      `INSERT INTO inventory_other_file (name, medium, purposes, items, department, location, access, retention, disposal_method, note, created_by_username, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING *`,
      [
        row.name,
        row.medium,
        row.purposes,
        row.items,
        row.department,
        row.location,
        row.access,
        row.retention,
        row.disposal_method,
        row.note,
        row.created_by_username,
        row.created_at,
      ],
    )) as OtherFileRow[];
    return created!;
  }

  async updateOtherFile(id: string, changes: Partial<Record<OtherFileColumn, unknown>>, at: Date, m: EntityManager): Promise<OtherFileRow> {
    const entries = OTHER_FILE_COLUMNS.filter((c) => changes[c] !== undefined).map((c) => [c, changes[c]] as const);
    const sets = [...entries.map(([c], i) => `${c} = $${i + 3}`), 'updated_at = $2'].join(', ');
    const [row] = (await m.query(`UPDATE inventory_other_file SET ${sets} WHERE id = $1 RETURNING *`, [id, at, ...entries.map(([, v]) => v)])) as [
      OtherFileRow[],
      number,
    ];
    return row[0]!;
  }
}
