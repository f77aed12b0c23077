import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ClockService } from '@/config/clock.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { AuditAction, AuditOutcome } from './audit-action';
import { AuditEntry } from './audit-entry.entity';

/** What a caller says about an event; the service adds time and the actor's identity. */
export interface AuditEvent {
  action: AuditAction;
  outcome: AuditOutcome;
  actor?: Pick<Staff, 'userId' | 'username' | 'roles'> | null;
  /** For events before a session exists (failed logins): who it was about. */
  actorUsername?: string | null;
  subjectId?: string | null;
  purpose?: string | null;
  request?: RequestMeta | null;
  /** Small, digit-free facts (counts, reasons, ids). Never a number. */
  details?: Record<string, unknown>;
}

/**
 * The only way anything writes the trail. Pass the caller's transaction manager so the
 * entry commits (or rolls back) with the work it records; without one it commits alone.
 */
@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: ClockService,
  ) {}

  async record(event: AuditEvent, manager?: EntityManager): Promise<void> {
    await this.recordMany([event], manager);
  }

  /** One multi-row INSERT: bulk retrieval writes a batch per transaction. */
  async recordMany(events: AuditEvent[], manager?: EntityManager): Promise<void> {
    if (events.length === 0) return;
    const at = this.clock.now();
    const rows = events.map((e) => ({
      at,
      actorId: e.actor?.userId ?? null,
      actorUsername: e.actor?.username ?? e.actorUsername ?? null,
      actorRoles: e.actor?.roles ?? [],
      action: e.action,
      subjectId: e.subjectId ?? null,
      purpose: e.purpose ?? null,
      outcome: e.outcome,
      requestId: e.request?.requestId || null,
      clientAddress: e.request?.clientAddress ?? null,
      details: e.details ?? {},
    }));
    await (manager ?? this.dataSource.manager).insert(AuditEntry, rows as QueryDeepPartialEntity<AuditEntry>[]);
  }
}
