import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ENTRY_COLUMNS, EntryRow } from './audit-sql';

export interface AuditEntryView {
  seq: string;
  at: string;
  actorId: string | null;
  actorUsername: string | null;
  actorRoles: string[];
  action: string;
  subjectId: string | null;
  purpose: string | null;
  outcome: string;
  requestId: string | null;
  clientAddress: string | null;
  details: unknown;
  /** Chain hash (hex) once sealed, else null. */
  hash: string | null;
}

export interface EntrySearch {
  actor?: string;
  subject?: string;
  purpose?: string;
  action?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit?: number;
  order?: 'asc' | 'desc';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toView(row: EntryRow): AuditEntryView {
  return { ...row, actorRoles: [...row.actorRoles], hash: row.hash ? row.hash.toString('hex') : null };
}

/** Auditors' search over the trail, keyset-paged by sequence number. */
@Injectable()
export class AuditSearchService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async entries(search: EntrySearch): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (search.actor) add(UUID.test(search.actor) ? 'e.actor_id = ?' : 'e.actor_username = ?', search.actor);
    if (search.subject) add('e.subject_id = ?', search.subject);
    if (search.purpose) add('e.purpose = ?', search.purpose);
    if (search.action) add('e.action = ?', search.action);
    if (search.from) add('e.at >= ?', search.from);
    if (search.to) add('e.at < ?', search.to);
    const desc = search.order === 'desc';
    if (search.cursor) add(desc ? 'e.seq < ?' : 'e.seq > ?', search.cursor);
    const limit = search.limit ?? 100;
    params.push(limit + 1);
    const rows: EntryRow[] = await this.dataSource.query(
      `SELECT ${ENTRY_COLUMNS} FROM audit_entry e ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
       ORDER BY e.seq ${desc ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
      params,
    );
    const more = rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map(toView);
    return { items, nextCursor: more ? items[items.length - 1]!.seq : null };
  }
}
