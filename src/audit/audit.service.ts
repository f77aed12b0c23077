import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ClockService } from '@/config/clock.service';
import { MetricsService } from '@/metrics/metrics.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { AuditAction, AuditOutcome } from './audit-action';
import { insertEntries, readAndRecord } from './audit.repository';

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
   * The statement is in audit.repository.ts (readAndRecord).
   */
  async recordWithRead<T extends { allowed: boolean }>(event: AuditEvent, read: { name: string; sql: string; params: unknown[] }): Promise<T[]> {
    return readAndRecord<T>(this.dataSource, read, [
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

  /** One multi-row INSERT: bulk retrieval writes a batch per transaction (insertEntries, audit.repository.ts). */
  async recordMany(events: AuditEvent[], manager?: EntityManager): Promise<void> {
    if (events.length === 0) return;
    const col = <T>(pick: (e: AuditEvent) => T) => events.map(pick);
    await insertEntries(manager ?? this.dataSource.manager, this.clock.now(), {
      actorIds: col((e) => e.actor?.userId ?? null),
      actorUsernames: col((e) => e.actor?.username ?? e.actorUsername ?? null),
      actorRoles: col((e) => `{${(e.actor?.roles ?? []).join(',')}}`), // roles are fixed words (ROLES), safe as an array literal
      actions: col((e) => e.action),
      subjectIds: col((e) => e.subjectId ?? null),
      purposes: col((e) => e.purpose ?? null),
      outcomes: col((e) => e.outcome),
      requestIds: col((e) => e.request?.requestId || null),
      clientAddresses: col((e) => e.request?.clientAddress ?? null),
      details: col((e) => JSON.stringify(detailsOf(e))),
    });
  }
}
