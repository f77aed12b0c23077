import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { ClockService } from '@/config/clock.service';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In, Repository } from 'typeorm';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { LegalDataService } from '@/config/legal-data.service';
import { SubjectKind } from '@/config/legal-data';
import { CreateSubjectDto, ListSubjectsQuery, NotifyPurposesDto, UpdateSubjectDto } from './dto/subject.dto';
import { Subject } from './subject.entity';
import { SubjectPurpose } from './subject-purpose.entity';

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
    @InjectRepository(Subject) private readonly subjects: Repository<Subject>,
    @InjectRepository(SubjectPurpose) private readonly purposes: Repository<SubjectPurpose>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly legal: LegalDataService,
    private readonly audit: AuditService,
    private readonly events: EventEmitter2,
    private readonly clock: ClockService,
  ) {}

  async create(dto: CreateSubjectDto, staff: Staff, request: RequestMeta): Promise<Subject> {
    if (dto.kind !== 'dependent' && dto.employeeId) {
      throw new BadRequestException('employeeId is only for dependents');
    }
    if (dto.kind === 'dependent') {
      const employee = await this.subjects.findOneBy({ id: dto.employeeId! });
      if (!employee || employee.kind !== 'employee') {
        throw new BadRequestException('employeeId must be the id of an existing employee');
      }
    }
    this.checkDates(dto.hiredAt ?? null, dto.leftAt ?? null);
    const created = await this.dataSource.transaction(async (manager) => {
      const existing = await manager.findOneBy(Subject, { code: dto.code });
      if (existing) throw new ConflictException('A person with this code already exists');
      const subject = manager.create(Subject, {
        kind: dto.kind,
        code: dto.code,
        name: dto.name,
        nameKana: dto.nameKana ?? null,
        employeeId: dto.kind === 'dependent' ? dto.employeeId! : null,
        hiredAt: dto.hiredAt ?? null,
        leftAt: dto.leftAt ?? null,
      });
      await manager.save(subject);
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
    const subject = await this.subjects.findOneBy({ id });
    if (!subject) throw new NotFoundException('No such person');
    return subject;
  }

  async findMany(ids: string[]): Promise<Subject[]> {
    return ids.length ? this.subjects.findBy({ id: In(ids) }) : [];
  }

  async list(query: ListSubjectsQuery): Promise<{ items: Subject[]; nextCursor: string | null }> {
    const qb = this.subjects.createQueryBuilder('s').orderBy('s.code', 'ASC').limit(SUBJECT_PAGE_SIZE + 1);
    if (query.kind) qb.andWhere('s.kind = :kind', { kind: query.kind });
    if (query.status === 'active') qb.andWhere('s.left_at IS NULL');
    if (query.status === 'left') qb.andWhere('s.left_at IS NOT NULL');
    if (query.cursor) qb.andWhere('s.code > :cursor', { cursor: query.cursor });
    if (query.q) {
      const like = `%${query.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      qb.andWhere(
        new Brackets((w) => w.where('s.code ILIKE :like', { like }).orWhere('s.name ILIKE :like').orWhere('s.name_kana ILIKE :like')),
      );
    }
    const rows = await qb.getMany();
    const items = rows.slice(0, SUBJECT_PAGE_SIZE);
    return { items, nextCursor: rows.length > SUBJECT_PAGE_SIZE ? items[items.length - 1].code : null };
  }

  async update(id: string, dto: UpdateSubjectDto, staff: Staff, request: RequestMeta): Promise<Subject> {
    const result = await this.dataSource.transaction(async (manager) => {
      const subject = await manager.findOne(Subject, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!subject) throw new NotFoundException('No such person');
      const leaveBefore = subject.leftAt;
      if (dto.name !== undefined) subject.name = dto.name;
      if (dto.nameKana !== undefined) subject.nameKana = dto.nameKana;
      if (dto.hiredAt !== undefined) subject.hiredAt = dto.hiredAt;
      if (dto.leftAt !== undefined) subject.leftAt = dto.leftAt;
      this.checkDates(subject.hiredAt, subject.leftAt);
      subject.updatedAt = this.clock.now();
      await manager.save(subject);
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

  /** Replaces the set of purposes this person was told of (a new notice). */
  async notifyPurposes(id: string, dto: NotifyPurposesDto, staff: Staff, request: RequestMeta): Promise<SubjectPurpose[]> {
    const subject = await this.get(id);
    dto.purposes.forEach((code, i) => {
      const purpose = this.legal.purpose(code);
      if (!purpose) throw new BadRequestException(`purposes[${i}] is not a configured purpose code`);
      if (!purpose.kinds.includes(subject.kind)) {
        throw new BadRequestException(`purposes[${i}] (${code}) does not apply to a ${subject.kind}`);
      }
    });
    const notifiedAt = new Date(dto.notifiedAt);
    return this.dataSource.transaction(async (manager) => {
      await manager.delete(SubjectPurpose, { subjectId: id });
      const rows = dto.purposes.map((purpose) => manager.create(SubjectPurpose, { subjectId: id, purpose, notifiedAt, recordedBy: staff.userId }));
      if (rows.length) await manager.insert(SubjectPurpose, rows);
      await this.audit.record(
        { action: 'subject.purposes-notified', outcome: 'success', actor: staff, subjectId: id, request, details: { purposes: dto.purposes } },
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
    await manager
      .createQueryBuilder()
      .insert()
      .into(SubjectPurpose)
      .values(purposes.map((purpose) => ({ subjectId: id, purpose, notifiedAt, recordedBy: null })))
      .orUpdate(['notified_at', 'recorded_by'], ['subject_id', 'purpose'])
      .execute();
    await this.audit.record(
      { action: 'subject.purposes-notified', outcome: 'success', actorUsername: null, subjectId: id, request, details: { purposes, ...details } },
      manager,
    );
  }

  async notifiedPurposes(id: string): Promise<SubjectPurpose[]> {
    await this.get(id);
    return this.purposes.find({ where: { subjectId: id }, order: { purpose: 'ASC' } });
  }

  /** True when the person was told of this purpose. One indexed lookup: this sits on the reveal path. */
  async isNotified(subjectId: string, purpose: string, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await (manager ?? this.dataSource.manager).query(
      'SELECT 1 FROM subject_purpose WHERE subject_id = $1 AND purpose = $2',
      [subjectId, purpose],
    );
    return rows.length > 0;
  }

  /**
   * The same rule as isNotified, as an SQL condition over this module's table, for a caller that
   * must check it inside one statement (the reveal hot path). Arguments are parameter placeholders.
   */
  notifiedCondition(subjectIdParam: string, purposeParam: string): string {
    return `EXISTS (SELECT 1 FROM subject_purpose WHERE subject_id = ${subjectIdParam}::uuid AND purpose = ${purposeParam}::text)`;
  }

  /** Of these people, the ids that were told of the purpose. */
  async notifiedAmong(subjectIds: string[], purpose: string, manager?: EntityManager): Promise<Set<string>> {
    if (subjectIds.length === 0) return new Set();
    const rows = await (manager ?? this.dataSource.manager).find(SubjectPurpose, {
      select: { subjectId: true },
      where: { subjectId: In(subjectIds), purpose },
    });
    return new Set(rows.map((r) => r.subjectId));
  }

  /** The people a bulk retrieval covers, in code order. */
  async select(selection: SubjectSelection): Promise<Subject[]> {
    const qb = this.subjects.createQueryBuilder('s').orderBy('s.code', 'ASC');
    if (selection.subjectIds) qb.andWhere('s.id IN (:...ids)', { ids: selection.subjectIds });
    if (selection.kind) qb.andWhere('s.kind = :kind', { kind: selection.kind });
    if (selection.activeInYear !== undefined) {
      const start = `${selection.activeInYear}-01-01`;
      const end = `${selection.activeInYear}-12-31`;
      qb.andWhere('(s.hired_at IS NULL OR s.hired_at <= :end)', { end });
      qb.andWhere('(s.left_at IS NULL OR s.left_at >= :start)', { start });
    }
    return qb.getMany();
  }

  /** Dependents of an employee, for retention (a dependent's number may go when the employee leaves). */
  async dependentsOf(employeeId: string): Promise<Subject[]> {
    return this.subjects.findBy({ employeeId });
  }

  private async announceLeaveChange(subject: Subject): Promise<void> {
    const ids = [subject.id];
    if (subject.kind === 'employee') ids.push(...(await this.dependentsOf(subject.id)).map((d) => d.id));
    for (const subjectId of ids) await this.events.emitAsync(SUBJECT_LEAVE_CHANGED, { subjectId } satisfies SubjectLeaveChanged);
  }

  private checkDates(hiredAt: string | null, leftAt: string | null): void {
    if (hiredAt && leftAt && leftAt < hiredAt) throw new BadRequestException('leftAt must not be before hiredAt');
  }
}
