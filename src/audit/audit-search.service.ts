import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SubjectsService } from '@/subjects/subjects.service';
import { UsersService } from '@/users/users.service';
import { EntryRow } from './audit-sql';
import { searchEntries } from './audit-search.repository';

/** Who a trail entry is about, by name (auditors see names and codes, never numbers). */
export interface AuditSubjectView {
  id: string;
  code: string;
  name: string;
  kind: string;
}

export interface AuditEntryView {
  seq: string;
  at: string;
  actorId: string | null;
  actorUsername: string | null;
  /** The actor's display name now (null for a system actor or an account that no longer exists). */
  actorName: string | null;
  actorRoles: string[];
  action: string;
  subjectId: string | null;
  /** The person, by code and name (null when the entry names nobody, or the person's record is gone). */
  subject: AuditSubjectView | null;
  purpose: string | null;
  outcome: string;
  requestId: string | null;
  clientAddress: string | null;
  details: unknown;
  /** Chain hash (hex) once sealed, else null. */
  hash: string | null;
}

export interface EntrySearch {
  /** A staff user id (uuid), a username, or part of a username or display name. */
  actor?: string;
  subject?: string;
  /** Part of a person's code, name or kana (spaces ignored). */
  person?: string;
  purpose?: string;
  /** One action, or several separated by commas. */
  action?: string | string[];
  outcome?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit?: number;
  order?: 'asc' | 'desc';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A person or actor search matching more than this many is refused: narrow it down (audit.search-too-broad). */
export const MAX_SEARCH_MATCHES = 500;

export function toView(row: EntryRow): Omit<AuditEntryView, 'actorName' | 'subject'> {
  return { ...row, actorRoles: [...row.actorRoles], hash: row.hash ? row.hash.toString('hex') : null };
}

/** Auditors' search over the trail, keyset-paged by sequence number, with people and staff by name. */
@Injectable()
export class AuditSearchService {
  /** MAX_SEARCH_MATCHES; a test lowers it rather than registering hundreds of people in the shared database. */
  maxMatches = MAX_SEARCH_MATCHES;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subjects: SubjectsService,
    private readonly users: UsersService,
  ) {}

  async entries(search: EntrySearch): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
    if (search.from && search.to && search.from > search.to) {
      throw new BadRequestException({ code: 'audit.range-reversed', message: 'from must not be after to' });
    }
    const limit = search.limit ?? 100;
    const empty = { items: [], nextCursor: null };

    let actorIds: string[] | undefined;
    let actorUsername: string | undefined;
    const actor = search.actor?.trim();
    if (actor) {
      if (UUID.test(actor)) actorIds = [actor];
      else {
        actorUsername = actor.toLowerCase();
        actorIds = await this.users.idsMatching(actor, this.maxMatches);
        this.notTooBroad(actorIds, 'actor');
      }
    }

    let subjectIds: string[] | undefined = search.subject ? [search.subject] : undefined;
    const person = search.person?.trim();
    if (person) {
      const matching = await this.subjects.idsMatching(person, this.maxMatches);
      this.notTooBroad(matching, 'person');
      subjectIds = subjectIds ? subjectIds.filter((id) => matching.includes(id)) : matching;
      if (subjectIds.length === 0) return empty;
    }

    const actions = typeof search.action === 'string' ? search.action.split(',').filter(Boolean) : search.action;
    const rows = await searchEntries(this.dataSource, {
      actorIds,
      actorUsername,
      subjectIds,
      purpose: search.purpose || undefined,
      actions: actions?.length ? actions : undefined,
      outcome: search.outcome || undefined,
      from: search.from,
      to: search.to,
      cursor: search.cursor,
      order: search.order === 'desc' ? 'desc' : 'asc',
      limit,
    });
    const more = rows.length > limit;
    const items = await this.named((more ? rows.slice(0, limit) : rows).map(toView));
    return { items, nextCursor: more ? items[items.length - 1]!.seq : null };
  }

  /** Adds the actor's display name and the person's code and name to each entry. */
  private async named(items: Omit<AuditEntryView, 'actorName' | 'subject'>[]): Promise<AuditEntryView[]> {
    const subjectIds = [...new Set(items.map((e) => e.subjectId).filter((id): id is string => !!id))];
    const [people, staff] = await Promise.all([
      this.subjects.findMany(subjectIds),
      this.users.namesOf(items.map((e) => e.actorId).filter((id): id is string => !!id)),
    ]);
    const byId = new Map(people.map((p) => [p.id, { id: p.id, code: p.code, name: p.name, kind: p.kind }]));
    return items.map((e) => ({
      ...e,
      actorName: e.actorId ? (staff.get(e.actorId)?.displayName ?? null) : null,
      subject: e.subjectId ? (byId.get(e.subjectId) ?? null) : null,
    }));
  }

  private notTooBroad(ids: string[], field: 'person' | 'actor'): void {
    if (ids.length > this.maxMatches) {
      throw new BadRequestException({
        code: 'audit.search-too-broad',
        message: `${field} matches more than ${this.maxMatches} ${field === 'person' ? 'people' : 'accounts'}: give more of the name or the code`,
        params: { field, max: this.maxMatches },
      });
    }
  }
}
