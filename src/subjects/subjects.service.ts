import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { ClockService } from '@/config/clock.service';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { LegalDataService } from '@/config/legal-data.service';
import { SubjectKind } from '@/config/legal-data';
import { assertNotFuture } from '@/common/http/dates';
import { localDate } from '@/retention/due-dates';
import {
  CreateNumberRequestDto,
  CreateRelationshipDto,
  CreateSubjectDto,
  ListSubjectsQuery,
  NotifyPurposesDto,
  UpdateRelationshipDto,
  UpdateSubjectDto,
} from './dto/subject.dto';
import { SubjectRelationship } from './subject-relationship.entity';
import { NumberRequest } from './number-request.entity';
import { Subject } from './subject.entity';
import { SubjectPurpose } from './subject-purpose.entity';
import { SubjectsRepository } from './subjects.repository';

export const SUBJECT_PAGE_SIZE = 50;

/** Emitted after a change that can move a disposal due date (leave date, dependent link). */
export const SUBJECT_LEAVE_CHANGED = 'subject.leave-changed';
export interface SubjectLeaveChanged {
  subjectId: string;
}

/** Which people a bulk retrieval covers. */
export interface SubjectSelection {
  subjectIds?: string[];
  kind?: SubjectKind;
  /** People employed (or contracted) at some point in that calendar year. */
  activeInYear?: number;
}

@Injectable()
export class SubjectsService {
  constructor(
    private readonly repo: SubjectsRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly legal: LegalDataService,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
    private readonly clock: ClockService,
  ) {}

  async create(dto: CreateSubjectDto, staff: Staff, request: RequestMeta): Promise<Subject> {
    if (dto.kind !== 'dependent' && dto.employeeId) {
      throw new BadRequestException({ code: 'subject.employee-not-allowed', message: 'employeeId is only for dependents' });
    }
    if (dto.kind === 'dependent') {
      const employee = await this.repo.findById(dto.employeeId!);
      if (!employee || employee.kind !== 'employee') {
        throw new BadRequestException({ code: 'subject.employee-not-found', message: 'employeeId must be the id of an existing employee' });
      }
    }
    this.checkDates(dto.hiredAt ?? null, dto.leftAt ?? null);
    const created = await this.dataSource.transaction(async (manager) => {
      const existing = await this.repo.findByCode(dto.code, manager);
      if (existing) throw new ConflictException({ code: 'subject.code-taken', message: 'A person with this code already exists' });
      const subject = manager.create(Subject, {
        kind: dto.kind,
        code: dto.code,
        name: dto.name,
        nameKana: dto.nameKana ?? null,
        employeeId: dto.kind === 'dependent' ? dto.employeeId! : null,
        hiredAt: dto.hiredAt ?? null,
        leftAt: dto.leftAt ?? null,
      });
      await this.repo.save(subject, manager);
      await this.repo.insertPrimaryRow(subject, manager);
      await this.audit.record(
        { action: 'subject.created', outcome: 'success', actor: staff, subjectId: subject.id, request, details: { kind: subject.kind } },
        manager,
      );
      return subject;
    });
    // Someone registered as already gone (or a dependent, whose employee may be gone) needs a due date now.
    if (created.leftAt || created.kind === 'dependent') await this.announceLeaveChange(created);
    return created;
  }

  async get(id: string): Promise<Subject> {
    const subject = await this.repo.findById(id);
    if (!subject) throw new NotFoundException({ code: 'subject.not-found', message: 'No such person' });
    return subject;
  }

  async findMany(ids: string[]): Promise<Subject[]> {
    return ids.length ? this.repo.findByIds(ids) : [];
  }

  async list(query: ListSubjectsQuery): Promise<{ items: Subject[]; nextCursor: string | null }> {
    const rows = await this.repo.page({
      kind: query.kind,
      employeeId: query.employeeId,
      status: query.status,
      cursor: query.cursor,
      q: query.q,
      limit: SUBJECT_PAGE_SIZE + 1,
    });
    const items = rows.slice(0, SUBJECT_PAGE_SIZE);
    return { items, nextCursor: rows.length > SUBJECT_PAGE_SIZE ? items[items.length - 1]!.code : null };
  }

  async update(id: string, dto: UpdateSubjectDto, staff: Staff, request: RequestMeta): Promise<Subject> {
    if (dto.name === undefined && dto.nameKana === undefined && dto.hiredAt === undefined && dto.leftAt === undefined) {
      throw new BadRequestException({ code: 'subject.nothing-to-change', message: 'Nothing to change: send name, nameKana, hiredAt or leftAt' });
    }
    const result = await this.dataSource.transaction(async (manager) => {
      const subject = await this.repo.findByIdForUpdate(id, manager);
      if (!subject) throw new NotFoundException({ code: 'subject.not-found', message: 'No such person' });
      const leaveBefore = subject.leftAt;
      if (dto.name !== undefined) subject.name = dto.name;
      if (dto.nameKana !== undefined) subject.nameKana = dto.nameKana;
      if (dto.hiredAt !== undefined) subject.hiredAt = dto.hiredAt;
      if (dto.leftAt !== undefined) subject.leftAt = dto.leftAt;
      this.checkDates(subject.hiredAt, subject.leftAt);
      subject.updatedAt = this.clock.now();
      await this.repo.save(subject, manager);
      await this.mirrorPrimary(subject, manager);
      await this.audit.record(
        {
          action: 'subject.updated',
          outcome: 'success',
          actor: staff,
          subjectId: id,
          request,
          details: { fields: Object.keys(dto).sort() },
        },
        manager,
      );
      return { subject, leaveChanged: leaveBefore !== subject.leftAt };
    });
    if (result.leaveChanged) await this.announceLeaveChange(result.subject);
    return result.subject;
  }

  /**
   * Replaces the set of purposes this person was told of for one relationship (a new notice);
   * the primary relationship when none is named. A notice dated in the future is refused.
   */
  async notifyPurposes(id: string, dto: NotifyPurposesDto, staff: Staff, request: RequestMeta): Promise<SubjectPurpose[]> {
    const subject = await this.get(id);
    const now = this.clock.now();
    assertNotFuture('notifiedAt', dto.notifiedAt, now, localDate(now), 'purposes.notified-in-future');
    const relationship = dto.relationshipId
      ? (await this.relationshipsOf(id)).find((r) => r.id === dto.relationshipId)
      : await this.primaryRelationship(subject);
    if (!relationship) throw new NotFoundException({ code: 'relationship.not-found', message: 'No such relationship for this person' });
    dto.purposes.forEach((code, i) => {
      const purpose = this.legal.purpose(code);
      if (!purpose) throw new BadRequestException({ code: 'purpose.unknown', message: `purposes[${i}] is not a configured purpose code` });
      if (!purpose.kinds.includes(relationship.kind)) {
        throw new BadRequestException({ code: 'purpose.not-applicable', message: `purposes[${i}] (${code}) does not apply to a ${relationship.kind}` });
      }
    });
    const notifiedAt = new Date(dto.notifiedAt);
    return this.dataSource.transaction(async (manager) => {
      const rows = dto.purposes.map((purpose) =>
        manager.create(SubjectPurpose, { subjectId: id, relationshipId: relationship.id, purpose, notifiedAt, recordedBy: staff.userId }),
      );
      await this.repo.replacePurposes(id, relationship.id, rows, manager);
      await this.audit.record(
        {
          action: 'subject.purposes-notified',
          outcome: 'success',
          actor: staff,
          subjectId: id,
          request,
          details: { purposes: dto.purposes, relationshipId: relationship.id, relationshipKind: relationship.kind },
        },
        manager,
      );
      return rows;
    });
  }

  /**
   * Purposes the person acknowledged themselves (collection link, issue #15): added to those
   * already told (a later notice moves the time), audited without a staff actor, inside the
   * caller's transaction.
   */
  async recordAcknowledgedPurposes(
    id: string,
    purposes: string[],
    notifiedAt: Date,
    request: RequestMeta | null,
    manager: EntityManager,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    if (purposes.length === 0) return;
    // told for the person's primary relationship (purposes are notified per relationship)
    await this.ensurePrimaryRow(id, manager);
    const primary = await this.repo.primaryRow(id, manager);
    await this.repo.upsertPurposes(
      purposes.map((purpose) => ({ subjectId: id, relationshipId: primary.id, purpose, notifiedAt, recordedBy: null })),
      manager,
    );
    await this.audit.record(
      { action: 'subject.purposes-notified', outcome: 'success', actorUsername: null, subjectId: id, request, details: { purposes, ...details } },
      manager,
    );
  }

  async notifiedPurposes(id: string): Promise<SubjectPurpose[]> {
    await this.get(id);
    return this.repo.purposesOf(id);
  }

  /**
   * Every relationship that justifies holding this person's number, primary first. A person
   * entered before relationships existed (or straight into the table) has its row's own.
   */
  async relationshipsOf(subjectId: string, manager?: EntityManager): Promise<SubjectRelationship[]> {
    const db = manager ?? this.dataSource.manager;
    const rows = await this.repo.relationshipRows(subjectId, db);
    if (rows.some((r) => r.isPrimary)) return rows;
    const subject = await this.repo.findById(subjectId, db);
    if (!subject) return rows;
    const primary = db.create(SubjectRelationship, {
      id: subject.id,
      subjectId: subject.id,
      kind: subject.kind,
      employeeId: subject.employeeId,
      startedAt: subject.hiredAt,
      endedAt: subject.leftAt,
      isPrimary: true,
      createdAt: subject.createdAt,
      updatedAt: subject.updatedAt,
    });
    return [primary, ...rows];
  }

  /** 未提供: records one request for the number (date, means, answer). Append-only. */
  async recordNumberRequest(subjectId: string, dto: CreateNumberRequestDto, staff: Staff, request: RequestMeta): Promise<NumberRequest> {
    await this.get(subjectId);
    const now = this.clock.now();
    assertNotFuture('requestedOn', dto.requestedOn, now, localDate(now), 'number-request.in-future');
    return this.dataSource.transaction(async (manager) => {
      const row = manager.create(NumberRequest, {
        subjectId,
        requestedOn: dto.requestedOn,
        means: dto.means,
        answer: dto.answer,
        note: dto.note ?? null,
        recordedBy: staff.userId,
        recordedAt: now,
      });
      await this.repo.save(row, manager);
      await this.audit.record(
        {
          action: 'subject.number-requested',
          outcome: 'success',
          actor: staff,
          subjectId,
          request,
          details: { requestId: row.id, requestedOn: row.requestedOn, means: row.means, answer: row.answer },
        },
        manager,
      );
      return row;
    });
  }

  async numberRequests(subjectId: string): Promise<NumberRequest[]> {
    await this.get(subjectId);
    return this.repo.numberRequestsOf(subjectId);
  }

  /** Of these people, those with at least one recorded request for their number (id → the latest request). */
  async numberRequestsAmong(subjectIds: string[], manager?: EntityManager): Promise<Map<string, NumberRequest>> {
    if (!subjectIds.length) return new Map();
    const rows = await this.repo.numberRequestsAmong(subjectIds, manager);
    return new Map(rows.map((r) => [r.subjectId, r]));
  }

  /** Adds a relationship to a person (a spouse on the staff, a director who rents the office to the company). */
  async addRelationship(subjectId: string, dto: CreateRelationshipDto, staff: Staff, request: RequestMeta): Promise<SubjectRelationship> {
    await this.get(subjectId);
    if (dto.kind !== 'dependent' && dto.employeeId) {
      throw new BadRequestException({ code: 'relationship.employee-only-for-dependent', message: 'employeeId is only for a dependent relationship' });
    }
    if (dto.kind === 'dependent') await this.checkEmployee(dto.employeeId!, subjectId);
    if (dto.startedAt && dto.endedAt && dto.endedAt < dto.startedAt) {
      throw new BadRequestException({ code: 'relationship.ends-before-start', message: 'endedAt must not be before startedAt' });
    }
    const created = await this.dataSource.transaction(async (manager) => {
      await this.ensurePrimaryRow(subjectId, manager);
      const open = await this.repo.openRelationship(subjectId, dto.kind, dto.employeeId ?? null, manager);
      if (open) {
        throw new ConflictException({ code: 'relationship.duplicate', message: 'This person already holds this relationship; end it before adding it again' });
      }
      const row = manager.create(SubjectRelationship, {
        subjectId,
        kind: dto.kind,
        employeeId: dto.kind === 'dependent' ? dto.employeeId! : null,
        startedAt: dto.startedAt ?? null,
        endedAt: dto.endedAt ?? null,
        isPrimary: false,
      });
      await this.repo.save(row, manager);
      await this.audit.record(
        { action: 'subject.relationship-added', outcome: 'success', actor: staff, subjectId, request, details: { relationshipId: row.id, kind: row.kind } },
        manager,
      );
      return row;
    });
    await this.events.emitAsync(SUBJECT_LEAVE_CHANGED, { subjectId } satisfies SubjectLeaveChanged);
    return created;
  }

  /** Ends (or resumes) a relationship. The primary one is the subject row's hire and leave dates too. */
  async updateRelationship(
    subjectId: string,
    relationshipId: string,
    dto: UpdateRelationshipDto,
    staff: Staff,
    request: RequestMeta,
  ): Promise<SubjectRelationship> {
    if (dto.startedAt === undefined && dto.endedAt === undefined) {
      throw new BadRequestException({ code: 'relationship.nothing-to-change', message: 'Nothing to change: send startedAt or endedAt' });
    }
    const result = await this.dataSource.transaction(async (manager) => {
      await this.ensurePrimaryRow(subjectId, manager);
      const row = await this.repo.relationshipForUpdate(subjectId, relationshipId, manager);
      if (!row) throw new NotFoundException({ code: 'relationship.not-found', message: 'No such relationship for this person' });
      if (dto.startedAt !== undefined) row.startedAt = dto.startedAt;
      if (dto.endedAt !== undefined) row.endedAt = dto.endedAt;
      if (row.startedAt && row.endedAt && row.endedAt < row.startedAt) {
        throw new BadRequestException({ code: 'relationship.ends-before-start', message: 'endedAt must not be before startedAt' });
      }
      row.updatedAt = this.clock.now();
      await this.repo.save(row, manager);
      let subject: Subject | null = null;
      if (row.isPrimary) {
        subject = await this.repo.findByIdForUpdate(subjectId, manager);
        subject!.hiredAt = row.startedAt;
        subject!.leftAt = row.endedAt;
        subject!.updatedAt = row.updatedAt;
        await this.repo.save(subject!, manager);
      }
      await this.audit.record(
        {
          action: 'subject.relationship-updated',
          outcome: 'success',
          actor: staff,
          subjectId,
          request,
          details: { relationshipId, kind: row.kind, fields: Object.keys(dto).sort() },
        },
        manager,
      );
      return { row, subject };
    });
    const subject = result.subject ?? (await this.get(subjectId));
    await this.announceLeaveChange(subject, result.row.kind === 'employee');
    return result.row;
  }

  /** True when the person was told of this purpose. One indexed lookup: this sits on the reveal path. */
  async isNotified(subjectId: string, purpose: string, manager?: EntityManager): Promise<boolean> {
    return this.repo.isNotified(subjectId, purpose, manager);
  }

  /**
   * The same rule as isNotified, as an SQL condition over this module's table, for a caller that
   * must check it inside one statement (the reveal hot path). Arguments are parameter placeholders.
   */
  notifiedCondition(subjectIdParam: string, purposeParam: string): string {
    return this.repo.notifiedCondition(subjectIdParam, purposeParam);
  }

  /** Of these people, the ids that were told of the purpose. */
  async notifiedAmong(subjectIds: string[], purpose: string, manager?: EntityManager): Promise<Set<string>> {
    if (subjectIds.length === 0) return new Set();
    return this.repo.notifiedAmong(subjectIds, purpose, manager);
  }

  /** The people a bulk retrieval covers, in code order. */
  async select(selection: SubjectSelection): Promise<Subject[]> {
    return this.repo.select(selection);
  }

  /**
   * People who are 配偶者・扶養親族 of an employee (as their own kind or as one of their
   * relationships), for retention (a dependent's number may go when the employee leaves).
   */
  async dependentsOf(employeeId: string): Promise<Subject[]> {
    return this.repo.dependentsOf(employeeId);
  }

  private async announceLeaveChange(subject: Subject, asEmployee = subject.kind === 'employee'): Promise<void> {
    const ids = [subject.id];
    if (asEmployee || subject.kind === 'employee') ids.push(...(await this.dependentsOf(subject.id)).map((d) => d.id));
    for (const subjectId of new Set(ids)) await this.events.emitAsync(SUBJECT_LEAVE_CHANGED, { subjectId } satisfies SubjectLeaveChanged);
  }

  /** The primary relationship (from the table, or the subject row's own for older rows). */
  private async primaryRelationship(subject: Subject): Promise<SubjectRelationship> {
    return (await this.relationshipsOf(subject.id)).find((r) => r.isPrimary)!;
  }

  /** A person entered before relationships existed gets its primary row before anything refers to it. */
  private async ensurePrimaryRow(subjectId: string, manager: EntityManager): Promise<void> {
    if (await this.repo.hasPrimaryRow(subjectId, manager)) return;
    const subject = await this.repo.findById(subjectId, manager);
    if (!subject) return;
    await this.repo.insertPrimaryRow(subject, manager);
  }

  /** The subject row's hire and leave dates are its primary relationship's. */
  private async mirrorPrimary(subject: Subject, manager: EntityManager): Promise<void> {
    await this.ensurePrimaryRow(subject.id, manager);
    await this.repo.updatePrimaryDates(subject, manager);
  }

  /** employeeId must be another person who is (or was) an employee. */
  private async checkEmployee(employeeId: string, subjectId: string): Promise<void> {
    if (employeeId === subjectId) {
      throw new BadRequestException({ code: 'relationship.own-dependent', message: 'A person cannot be their own dependent' });
    }
    const employee = await this.repo.findById(employeeId);
    const isEmployee = !!employee && (employee.kind === 'employee' || (await this.repo.hadEmployeeRelationship(employeeId)));
    if (!isEmployee) throw new BadRequestException({ code: 'relationship.employee-invalid', message: 'employeeId must be the id of an existing employee' });
  }

  /**
   * People whose code, name or kana contains `q` (spaces ignored on both sides, so 山田太郎 finds
   * 山田 太郎), at most `max` + 1 of them: the auditors' "whose number" search (issue #22).
   */
  async idsMatching(q: string, max: number): Promise<string[]> {
    const squeezed = q.replace(/[\s\u3000]+/g, '');
    return this.repo.idsMatching(squeezed, max + 1);
  }

  private checkDates(hiredAt: string | null, leftAt: string | null): void {
    if (hiredAt && leftAt && leftAt < hiredAt)
      throw new BadRequestException({ code: 'subject.left-before-hired', message: 'leftAt must not be before hiredAt' });
  }
}
