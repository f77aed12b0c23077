import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ClockService } from '@/config/clock.service';
import { preparedQuery } from '@/database/prepared-query';
import { MetricsService } from '@/metrics/metrics.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { AuditAction, AuditOutcome } from './audit-action';

/** What a caller says about an event; the service adds time and the actor's identity. */
export interface AuditEvent {
  action: AuditAction;
  outcome: AuditOutcome;
  /** With `firm` (an outside firm's account, issue #19) every entry is marked as the firm's. */
  actor?: (Pick<Staff, 'userId' | 'username' | 'roles'> & Partial<Pick<Staff, 'firm'>>) | null;
  /** For events before a session exists (failed logins): who it was about. */
  actorUsername?: string | null;
  subjectId?: string | null;
  purpose?: string | null;
  request?: RequestMeta | null;
  /** Small, digit-free facts (counts, reasons, ids). Never a number. */
  details?: Record<string, unknown>;
}

/** The entry's details; an outside firm's access carries the firm (委託先) it was made for. */
function detailsOf(e: AuditEvent): Record<string, unknown> {
  const firm = e.actor?.firm;
  return firm ? { ...(e.details ?? {}), firm: { id: firm.id, name: firm.name } } : (e.details ?? {});
}

const LOGIN_OUTCOMES: Partial<Record<AuditAction, 'success' | 'failure' | 'locked'>> = {
  'auth.login': 'success',
  'auth.login-failed': 'failure',
  'auth.lockout': 'locked',
};

/**
 * The only way anything writes the trail. Pass the caller's transaction manager so the
 * entry commits (or rolls back) with the work it records; without one it commits alone.
 */
@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: ClockService,
    private readonly metrics: MetricsService,
  ) {}

  async record(event: AuditEvent, manager?: EntityManager): Promise<void> {
    await this.recordMany([event], manager);
    // Login metrics follow the trail, so they count exactly what was recorded.
    const login = LOGIN_OUTCOMES[event.action];
    if (login) this.metrics.login(login);
  }

  /**
   * The reveal hot path in ONE statement (so one implicit transaction): runs the caller's read
   * query and, for its rows whose `allowed` column is true, inserts this entry; answers the read
   * rows. The read and the audit insert commit together or not at all, before the caller sees a row.
   * `read.sql` may use $1..$n for `read.params`; the entry's own parameters follow. `read.name`
   * names the prepared statement: one name per distinct `read.sql` (pg refuses a second text).
   */
  async recordWithRead<T extends { allowed: boolean }>(event: AuditEvent, read: { name: string; sql: string; params: unknown[] }): Promise<T[]> {
    const n = read.params.length;
    const p = (i: number) => `$${n + i}`;
    const text = `WITH read AS (${read.sql}),
            recorded AS (
              INSERT INTO audit_entry (at, actor_id, actor_username, actor_roles, action, subject_id, purpose, outcome, request_id, client_address, details)
              SELECT ${p(1)}::timestamptz, ${p(2)}::uuid, ${p(3)}::text, ${p(4)}::text[], ${p(5)}::text, ${p(6)}::uuid, ${p(7)}::text, ${p(8)}::text, ${p(9)}::text, ${p(10)}::text, ${p(11)}::jsonb
                FROM read WHERE read.allowed
              RETURNING seq)
       SELECT read.* FROM read WHERE NOT read.allowed OR EXISTS (SELECT 1 FROM recorded)`;
    // A named prepared statement: parsed and planned once per connection, not on every reveal
    // (measurements in src/database/prepared-query.ts).
    return preparedQuery<T>(this.dataSource, { name: `audit_read_${read.name}`, text }, [
      ...read.params,
      this.clock.now(),
      event.actor?.userId ?? null,
      event.actor?.username ?? event.actorUsername ?? null,
      `{${(event.actor?.roles ?? []).join(',')}}`,
      event.action,
      event.subjectId ?? null,
      event.purpose ?? null,
      event.outcome,
      event.request?.requestId || null,
      event.request?.clientAddress ?? null,
      JSON.stringify(detailsOf(event)),
    ]);
  }

  /** One multi-row INSERT: bulk retrieval writes a batch per transaction. */
  async recordMany(events: AuditEvent[], manager?: EntityManager): Promise<void> {
    if (events.length === 0) return;
    // Plain SQL, one statement for any batch: this sits on the reveal hot path, where the ORM's
    // insert builder cost more CPU than the database work it wraps.
    const col = <T>(pick: (e: AuditEvent) => T) => events.map(pick);
    await (manager ?? this.dataSource.manager).query(
      `INSERT INTO audit_entry (at, actor_id, actor_username, actor_roles, action, subject_id, purpose, outcome, request_id, client_address, details)
       SELECT $1::timestamptz, t.actor_id, t.actor_username, t.actor_roles::text[], t.action, t.subject_id, t.purpose, t.outcome, t.request_id, t.client_address, t.details::jsonb
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
           AS t(actor_id, actor_username, actor_roles, action, subject_id, purpose, outcome, request_id, client_address, details)`,
      [
        this.clock.now(),
        col((e) => e.actor?.userId ?? null),
        col((e) => e.actor?.username ?? e.actorUsername ?? null),
        col((e) => `{${(e.actor?.roles ?? []).join(',')}}`), // roles are fixed words (ROLES), safe as an array literal
        col((e) => e.action),
        col((e) => e.subjectId ?? null),
        col((e) => e.purpose ?? null),
        col((e) => e.outcome),
        col((e) => e.request?.requestId || null),
        col((e) => e.request?.clientAddress ?? null),
        col((e) => JSON.stringify(detailsOf(e))),
      ],
    );
  }
}
