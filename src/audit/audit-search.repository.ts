import { ENTRY_COLUMNS, EntryRow, Queryable } from './audit-sql';

/** SQL of the auditors' search over audit_entry (the filters are resolved to ids by AuditSearchService). */
export interface EntryFilter {
  /** Entries by any of these actor ids, or under this actor username (the trail keeps the username as written). */
  actorIds?: string[];
  actorUsername?: string;
  subjectIds?: string[];
  purpose?: string;
  actions?: string[];
  outcome?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  order: 'asc' | 'desc';
  limit: number;
}

/** One page of entries (limit + 1 rows, so the caller knows whether there is more). */
export async function searchEntries(q: Queryable, f: EntryFilter): Promise<EntryRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    let text = sql;
    for (const value of values) {
      params.push(value);
      text = text.replace('?', `$${params.length}`);
    }
    where.push(text);
  };
  if (f.actorIds && f.actorUsername !== undefined) add('(e.actor_id = ANY(?::uuid[]) OR e.actor_username = ?)', f.actorIds, f.actorUsername);
  else if (f.actorIds) add('e.actor_id = ANY(?::uuid[])', f.actorIds);
  else if (f.actorUsername !== undefined) add('e.actor_username = ?', f.actorUsername);
  if (f.subjectIds) add('e.subject_id = ANY(?::uuid[])', f.subjectIds);
  if (f.purpose) add('e.purpose = ?', f.purpose);
  if (f.actions) add('e.action = ANY(?::text[])', f.actions);
  if (f.outcome) add('e.outcome = ?', f.outcome);
  if (f.from) add('e.at >= ?', f.from);
  if (f.to) add('e.at < ?', f.to);
  const desc = f.order === 'desc';
  if (f.cursor) add(desc ? 'e.seq < ?' : 'e.seq > ?', f.cursor);
  params.push(f.limit + 1);
  return q.query(
    `SELECT ${ENTRY_COLUMNS} FROM audit_entry e ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
     ORDER BY e.seq ${desc ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
    params,
  );
}
