import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { AuditService } from '@/audit/audit.service';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { assertNotFuture } from '@/common/http/dates';
import { ClockService } from '@/config/clock.service';
import { LegalDataService } from '@/config/legal-data.service';
import { NumbersService } from '@/numbers/numbers.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { ListSubjectsQuery } from '@/subjects/dto/subject.dto';
import { addDays, addMonths, floorDueDate, localDate } from './due-dates';
import { CloseReviewDto, ConfirmReviewDto, ListReviewsQuery } from './dto/post-leaving.dto';
import { Filing } from './entities/filing.entity';
import { MatterReview } from './entities/matter-review.entity';
import { RetentionRepository } from './retention.repository';
import { ScheduleService } from './schedule.service';

export interface OpenMatterItem {
  subject: { id: string; code: string; name: string; kind: string };
  leftOn: string | null;
  /** The open matters (filings whose matter has not closed). */
  matters: { filingId: string; documentType: string; label: string | null; openSince: string }[];
  /** Since when the number has been kept only by an open matter: the earliest open matter's date. */
  since: string;
  reviewOn: string | null;
  review: { id: string; status: string; dueOn: string } | null;
}

export interface RetentionExplanation {
  subjectId: string;
  dueOn: string | null;
  rule: string | null;
  ruleLabel: string | null;
  basis: string | null;
  period: string | null;
  reason: string;
  leftOn: string | null;
  /** In words: which rule set the date and why. */
  why: string;
  relationships: {
    id: string;
    kind: string;
    primary: boolean;
    employeeId: string | null;
    startedAt: string | null;
    endedAt: string | null;
    leftOn: string | null;
    floor: string | null;
    floorDueOn: string | null;
    floorReleased: boolean;
  }[];
  reviewOn: string | null;
  notProvided: boolean;
}

export interface AdminPersonView {
  id: string;
  code: string;
  name: string;
  nameKana: string | null;
  kind: string;
  employeeId: string | null;
  hiredAt: string | null;
  leftAt: string | null;
  dueOn: string | null;
  rule: string | null;
  ruleLabel: string | null;
  reason: string;
  disposedAt: Date | null;
}

/**
 * Open matters: a leaver whose number is kept only because a matter never closed. Admins see
 * who, which matter and since when, and get a "still needed?" review after a configurable time
 * (config/retention-floors.json openMatterReview): confirm with a reason (next review later) or
 * close the matter (the due date follows).
 */
@Injectable()
export class OpenMattersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: RetentionRepository,
    private readonly schedule: ScheduleService,
    private readonly subjects: SubjectsService,
    private readonly legal: LegalDataService,
    private readonly audit: AuditService,
    private readonly clock: ClockService,
    private readonly numbers: NumbersService,
  ) {}

  async report(): Promise<{ items: OpenMatterItem[] }> {
    const types = this.legal.retentionRules.filter((r) => r.start === 'matter-closed').map((r) => r.documentType);
    const rows = await this.repository.openMatters(types);
    const items = new Map<string, OpenMatterItem>();
    for (const r of rows) {
      let item = items.get(r.subject_id);
      if (!item) {
        item = {
          subject: { id: r.subject_id, code: r.code, name: r.name, kind: r.kind },
          leftOn: r.left_on,
          matters: [],
          since: '',
          reviewOn: r.review_on,
          review: r.review_id ? { id: r.review_id, status: r.review_status!, dueOn: r.review_due_on! } : null,
        };
        items.set(r.subject_id, item);
      }
      const openSince = r.submitted_at ?? localDate(new Date(r.recorded_at));
      item.matters.push({ filingId: r.filing_id, documentType: r.document_type, label: this.legal.retentionRule(r.document_type)?.label ?? null, openSince });
      if (!item.since || openSince < item.since) item.since = openSince;
    }
    return { items: [...items.values()] };
  }

  async list(query: ListReviewsQuery): Promise<{ items: MatterReview[] }> {
    return {
      items: await this.dataSource.manager.find(MatterReview, { where: { status: query.status ?? 'open' }, order: { dueOn: 'ASC', id: 'ASC' }, take: 500 }),
    };
  }

  /** Still needed: the next review is due repeatEveryMonths from today. */
  async confirm(id: string, dto: ConfirmReviewDto, staff: Staff, request: RequestMeta): Promise<MatterReview> {
    const now = this.clock.now();
    const next = addMonths(localDate(now), this.legal.openMatterReview.repeatEveryMonths);
    return this.dataSource.transaction(async (m) => {
      const review = await this.openReview(id, m);
      review.status = 'confirmed';
      review.decidedBy = staff.userId;
      review.decidedAt = now;
      review.reason = dto.reason;
      review.nextReviewOn = next;
      await m.save(review);
      await this.repository.setReviewOn(review.subjectId, next, m);
      await this.audit.record(
        {
          action: 'retention.review-confirmed',
          outcome: 'success',
          actor: staff,
          subjectId: review.subjectId,
          request,
          details: { reviewId: id, nextReviewOn: next },
        },
        m,
      );
      return review;
    });
  }

  /** Not needed any more: every open matter carrying this person closes on closedAt; the due date follows. */
  async close(id: string, dto: CloseReviewDto, staff: Staff, request: RequestMeta): Promise<MatterReview> {
    const now = this.clock.now();
    assertNotFuture('closedAt', dto.closedAt, now, localDate(now), 'review.closed-in-future');
    const types = new Set(this.legal.retentionRules.filter((r) => r.start === 'matter-closed').map((r) => r.documentType));
    const result = await this.dataSource.transaction(async (m) => {
      const review = await this.openReview(id, m);
      const open = (await this.repository.filingsCarrying(review.subjectId, m)).filter((f) => f.closedAt === null && types.has(f.documentType));
      for (const f of open) await m.update(Filing, { id: f.id, closedAt: IsNull() }, { closedAt: dto.closedAt, updatedAt: now });
      review.status = 'closed';
      review.decidedBy = staff.userId;
      review.decidedAt = now;
      await m.save(review);
      await this.audit.record(
        {
          action: 'retention.review-closed',
          outcome: 'success',
          actor: staff,
          subjectId: review.subjectId,
          request,
          details: { reviewId: id, closedAt: dto.closedAt, filingIds: open.map((f) => f.id) },
        },
        m,
      );
      return { review, filers: [...new Set(open.map((f) => f.subjectId))], filingIds: open.map((f) => f.id) };
    });
    const people = await this.repository.peopleOf(result.filingIds);
    const affected = new Set([result.review.subjectId, ...result.filers, ...[...people.values()].flat()]);
    for (const subjectId of affected) await this.schedule.recompute(subjectId);
    return result.review;
  }

  /**
   * The admins' read-only people list (issue #22): who, leave date, and the computed 廃棄可能日 with
   * its rule. Never a number, nor whether one is on file: admins manage staff and disposal.
   */
  async people(query: ListSubjectsQuery): Promise<{ items: AdminPersonView[]; nextCursor: string | null }> {
    const page = await this.subjects.list(query);
    const schedules = new Map((await this.repository.schedules(page.items.map((s) => s.id))).map((r) => [r.subjectId, r]));
    return {
      items: page.items.map((s) => {
        const due = schedules.get(s.id);
        const info = due?.rule && due.rule !== 'left' ? this.legal.ruleInfo(due.rule) : null;
        return {
          id: s.id,
          code: s.code,
          name: s.name,
          nameKana: s.nameKana,
          kind: s.kind,
          employeeId: s.employeeId,
          hiredAt: s.hiredAt,
          leftAt: s.leftAt,
          dueOn: due?.dueOn ?? null,
          rule: due?.rule ?? null,
          ruleLabel: info?.label ?? null,
          reason: due?.reason ?? 'not-left',
          disposedAt: due?.disposedAt ?? null,
        };
      }),
      nextCursor: page.nextCursor,
    };
  }

  /** A person's due date with the rule that set it, why, and each relationship's end and floor. */
  async explain(subjectId: string): Promise<RetentionExplanation> {
    const subject = await this.subjects.get(subjectId);
    const [due, ends, links, stored] = await Promise.all([
      this.schedule.compute(subject),
      this.schedule.relationshipEnds(subject),
      this.subjects.relationshipsOf(subjectId),
      this.schedule.stored(subjectId),
    ]);
    const info = due.rule && due.rule !== 'left' ? this.legal.ruleInfo(due.rule) : null;
    const relationships = links.map((l, i) => {
      const end = ends[i];
      const floor = this.legal.retentionFloor(l.kind);
      return {
        id: l.id,
        kind: l.kind,
        primary: l.isPrimary,
        employeeId: l.employeeId,
        startedAt: l.startedAt,
        endedAt: l.endedAt,
        leftOn: end?.leftOn ?? null,
        floor: floor?.code ?? null,
        floorDueOn: end?.leftOn && floor ? floorDueDate(floor, end.leftOn) : null,
        floorReleased: !!(end?.leftOn && floor && !end.floor),
      };
    });
    return {
      subjectId,
      dueOn: due.dueOn,
      rule: due.rule,
      ruleLabel: info?.label ?? null,
      basis: info?.basis ?? null,
      period: info?.period ?? null,
      reason: due.reason,
      leftOn: due.leftOn,
      why: this.why(due.reason, due.rule, due.dueOn, due.leftOn, info?.label ?? null),
      relationships,
      reviewOn: stored?.reviewOn ?? null,
      notProvided: (await this.subjects.numberRequestsAmong([subjectId])).has(subjectId) && !(await this.numbers.isOnFile(subjectId)),
    };
  }

  private why(reason: string, rule: string | null, dueOn: string | null, leftOn: string | null, label: string | null): string {
    switch (reason) {
      case 'not-left':
        return 'A relationship continues (employed, declared or under contract): the number is kept.';
      case 'matter-open':
        return `A ${label ?? rule} matter is still open: the number is kept until it closes (reviewed after leaving).`;
      case 'unknown-rule':
        return `A filing uses a document type no longer configured (${rule}): the number is kept.`;
      default:
        if (rule === 'left') return `Left on ${leftOn}; nothing keeps the number longer: due the next day, ${dueOn ?? addDays(leftOn!, 1)}.`;
        if (rule?.startsWith('floor-')) return `Left on ${leftOn}; the filings that follow the departure (${label}) are due by then: kept until ${dueOn}.`;
        return `${label ?? rule} must be kept until the day before ${dueOn}, the latest of every filing and departure.`;
    }
  }

  private async openReview(id: string, m: import('typeorm').EntityManager): Promise<MatterReview> {
    const review = await m.findOne(MatterReview, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!review) throw new NotFoundException({ code: 'review.not-found', message: 'No such review' });
    if (review.status !== 'open') throw new ConflictException({ code: 'review.decided', message: `This review is already ${review.status}` });
    return review;
  }
}
