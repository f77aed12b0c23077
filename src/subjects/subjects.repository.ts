import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In, IsNull } from 'typeorm';
import { SubjectKind } from '@/config/legal-data';
import { NumberRequest } from './number-request.entity';
import { SubjectPurpose } from './subject-purpose.entity';
import { SubjectRelationship } from './subject-relationship.entity';
import { Subject } from './subject.entity';

/** One page of the people list: filters as the query gives them, at most `limit` rows in code order. */
export interface SubjectPageQuery {
  kind?: SubjectKind;
  employeeId?: string;
  status?: 'active' | 'left';
  /** The last code of the previous page. */
  cursor?: string;
  /** Part of a code, name or kana. */
  q?: string;
  limit: number;
}

/** Which people a bulk retrieval covers (SubjectsService.select). */
export interface SubjectFilter {
  subjectIds?: string[];
  kind?: SubjectKind;
  activeInYear?: number;
}

/** A LIKE pattern that finds `text` anywhere (its own %, _ and \ taken literally). */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
}

/**
 * The subjects module's SQL (subject, subject_relationship, subject_purpose, number_request);
 * SubjectsService holds the rules (docs/architecture.md "Where SQL lives"). A method that takes a
 * manager runs in the caller's transaction.
 */
@Injectable()
export class SubjectsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private db(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  findById(id: string, manager?: EntityManager): Promise<Subject | null> {
    return this.db(manager).findOneBy(Subject, { id });
  }

  /** The row, locked for update until the caller's transaction ends. */
  findByIdForUpdate(id: string, manager: EntityManager): Promise<Subject | null> {
    return manager.findOne(Subject, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findByIds(ids: string[]): Promise<Subject[]> {
    return this.dataSource.manager.findBy(Subject, { id: In(ids) });
  }

  findByCode(code: string, manager: EntityManager): Promise<Subject | null> {
    return manager.findOneBy(Subject, { code });
  }

  async save<T extends Subject | SubjectRelationship | NumberRequest>(row: T, manager: EntityManager): Promise<T> {
    return manager.save(row);
  }

  async page(query: SubjectPageQuery): Promise<Subject[]> {
    const qb = this.dataSource.manager.createQueryBuilder(Subject, 's').orderBy('s.code', 'ASC').limit(query.limit);
    if (query.kind) qb.andWhere('s.kind = :kind', { kind: query.kind });
    if (query.employeeId) {
      qb.andWhere(
        "(s.employee_id = :employeeId OR EXISTS (SELECT 1 FROM subject_relationship r WHERE r.subject_id = s.id AND r.kind = 'dependent' AND r.employee_id = :employeeId))",
        { employeeId: query.employeeId },
      );
    }
    if (query.status === 'active') qb.andWhere('s.left_at IS NULL');
    if (query.status === 'left') qb.andWhere('s.left_at IS NOT NULL');
    if (query.cursor) qb.andWhere('s.code > :cursor', { cursor: query.cursor });
    if (query.q) {
      const like = containing(query.q);
      qb.andWhere(new Brackets((w) => w.where('s.code ILIKE :like', { like }).orWhere('s.name ILIKE :like').orWhere('s.name_kana ILIKE :like')));
    }
    return qb.getMany();
  }

  /** The people a bulk retrieval covers, in code order, over every relationship they hold. */
  async select(selection: SubjectFilter): Promise<Subject[]> {
    const qb = this.dataSource.manager.createQueryBuilder(Subject, 's').orderBy('s.code', 'ASC');
    if (selection.subjectIds) qb.andWhere('s.id IN (:...ids)', { ids: selection.subjectIds });
    if (selection.kind || selection.activeInYear !== undefined) {
      // Over every relationship a person holds (a payee who is also an employee is in both lists);
      // the subject row's own kind and dates count too (people entered straight into the table).
      const own: string[] = [];
      const rel: string[] = [];
      if (selection.kind) {
        qb.setParameter('kind', selection.kind);
        own.push('s.kind = :kind');
        rel.push('r.kind = :kind');
      }
      if (selection.activeInYear !== undefined) {
        qb.setParameter('start', `${selection.activeInYear}-01-01`).setParameter('end', `${selection.activeInYear}-12-31`);
        own.push('(s.hired_at IS NULL OR s.hired_at <= :end)', '(s.left_at IS NULL OR s.left_at >= :start)');
        rel.push('(r.started_at IS NULL OR r.started_at <= :end)', '(r.ended_at IS NULL OR r.ended_at >= :start)');
      }
      qb.andWhere(`((${own.join(' AND ')}) OR EXISTS (SELECT 1 FROM subject_relationship r WHERE r.subject_id = s.id AND ${rel.join(' AND ')}))`);
    }
    return qb.getMany();
  }

  /** People who are an employee's dependents, as their own kind or as one of their relationships. */
  dependentsOf(employeeId: string): Promise<Subject[]> {
    return this.dataSource.manager
      .createQueryBuilder(Subject, 's')
      .where('s.employee_id = :employeeId', { employeeId })
      .orWhere('s.id IN (SELECT r.subject_id FROM subject_relationship r WHERE r.employee_id = :employeeId)', { employeeId })
      .getMany();
  }

  /** Ids of people whose code, name or kana (white space removed) contains `squeezed`, in code order. */
  async idsMatching(squeezed: string, limit: number): Promise<string[]> {
    const like = containing(squeezed);
    const rows = await this.dataSource.manager
      .createQueryBuilder(Subject, 's')
      .select('s.id', 'id')
      .where(
        new Brackets((w) =>
          w
            .where('s.code ILIKE :like', { like })
            .orWhere("regexp_replace(s.name, '[\\s\u3000]+', '', 'g') ILIKE :like")
            .orWhere("regexp_replace(coalesce(s.name_kana, ''), '[\\s\u3000]+', '', 'g') ILIKE :like"),
        ),
      )
      .orderBy('s.code', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  // --- relationships

  relationshipRows(subjectId: string, manager?: EntityManager): Promise<SubjectRelationship[]> {
    return this.db(manager).find(SubjectRelationship, { where: { subjectId }, order: { isPrimary: 'DESC', createdAt: 'ASC', id: 'ASC' } });
  }

  primaryRow(subjectId: string, manager: EntityManager): Promise<SubjectRelationship> {
    return manager.findOneOrFail(SubjectRelationship, { where: { subjectId, isPrimary: true } });
  }

  hasPrimaryRow(subjectId: string, manager: EntityManager): Promise<boolean> {
    return manager.exists(SubjectRelationship, { where: { subjectId, isPrimary: true } });
  }

  /** The person's primary relationship, from the subject row's own kind, employee and dates. */
  async insertPrimaryRow(subject: Subject, manager: EntityManager): Promise<void> {
    await manager.insert(SubjectRelationship, {
      subjectId: subject.id,
      kind: subject.kind,
      employeeId: subject.employeeId,
      startedAt: subject.hiredAt,
      endedAt: subject.leftAt,
      isPrimary: true,
    });
  }

  /** The relationship of this kind (and employee) that has not ended, if any. */
  openRelationship(subjectId: string, kind: SubjectKind, employeeId: string | null, manager: EntityManager): Promise<SubjectRelationship | null> {
    return manager.findOne(SubjectRelationship, { where: { subjectId, kind, employeeId: employeeId ?? IsNull(), endedAt: IsNull() } });
  }

  relationshipForUpdate(subjectId: string, relationshipId: string, manager: EntityManager): Promise<SubjectRelationship | null> {
    return manager.findOne(SubjectRelationship, { where: { id: relationshipId, subjectId }, lock: { mode: 'pessimistic_write' } });
  }

  /** The primary relationship's dates follow the subject row's. */
  async updatePrimaryDates(subject: Subject, manager: EntityManager): Promise<void> {
    await manager.update(
      SubjectRelationship,
      { subjectId: subject.id, isPrimary: true },
      { startedAt: subject.hiredAt, endedAt: subject.leftAt, updatedAt: subject.updatedAt },
    );
  }

  /** True when the person holds (or held) an employee relationship. */
  hadEmployeeRelationship(subjectId: string): Promise<boolean> {
    return this.dataSource.manager.exists(SubjectRelationship, { where: { subjectId, kind: 'employee' } });
  }

  // --- purposes

  /** Replaces the purposes told for one relationship. */
  async replacePurposes(subjectId: string, relationshipId: string, rows: SubjectPurpose[], manager: EntityManager): Promise<void> {
    await manager.delete(SubjectPurpose, { subjectId, relationshipId });
    if (rows.length) await manager.insert(SubjectPurpose, rows);
  }

  /** Adds purposes told for one relationship; one already told moves to the new time. */
  async upsertPurposes(
    rows: Array<Pick<SubjectPurpose, 'subjectId' | 'relationshipId' | 'purpose' | 'notifiedAt' | 'recordedBy'>>,
    manager: EntityManager,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(SubjectPurpose)
      .values(rows)
      .orUpdate(['notified_at', 'recorded_by'], ['subject_id', 'relationship_id', 'purpose'])
      .execute();
  }

  purposesOf(subjectId: string): Promise<SubjectPurpose[]> {
    return this.dataSource.manager.find(SubjectPurpose, { where: { subjectId }, order: { purpose: 'ASC', relationshipId: 'ASC' } });
  }

  /** One indexed lookup: this sits on the reveal path. */
  async isNotified(subjectId: string, purpose: string, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await this.db(manager).query('SELECT 1 FROM subject_purpose WHERE subject_id = $1 AND purpose = $2', [subjectId, purpose]);
    return rows.length > 0;
  }

  /** isNotified as an SQL condition; the arguments are parameter placeholders. */
  notifiedCondition(subjectIdParam: string, purposeParam: string): string {
    return `EXISTS (SELECT 1 FROM subject_purpose WHERE subject_id = ${subjectIdParam}::uuid AND purpose = ${purposeParam}::text)`;
  }

  async notifiedAmong(subjectIds: string[], purpose: string, manager?: EntityManager): Promise<Set<string>> {
    const rows = await this.db(manager).find(SubjectPurpose, { select: { subjectId: true }, where: { subjectId: In(subjectIds), purpose } });
    return new Set(rows.map((r) => r.subjectId));
  }

  // --- requests for the number (未提供)

  numberRequestsOf(subjectId: string): Promise<NumberRequest[]> {
    return this.dataSource.manager.find(NumberRequest, { where: { subjectId }, order: { requestedOn: 'ASC', recordedAt: 'ASC' } });
  }

  numberRequestsAmong(subjectIds: string[], manager?: EntityManager): Promise<NumberRequest[]> {
    return this.db(manager).find(NumberRequest, { where: { subjectId: In(subjectIds) }, order: { requestedOn: 'ASC', recordedAt: 'ASC' } });
  }
}
