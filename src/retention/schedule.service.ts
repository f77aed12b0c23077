import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ClockService } from '@/config/clock.service';
import { LegalDataService } from '@/config/legal-data.service';
import { SUBJECT_LEAVE_CHANGED, SubjectLeaveChanged, SubjectsService } from '@/subjects/subjects.service';
import { Subject } from '@/subjects/subject.entity';
import { AlarmsService } from './alarms.service';
import { addMonths, disposalDueDate, DueResult, effectiveLeftOn, localDate, maxDate, RelationshipEnd, RuleFacts, startOfLocalDay } from './due-dates';
import { RetentionRepository } from './retention.repository';
import { RetentionSchedule } from './entities/retention-schedule.entity';
import { DisposalQueueService } from './queue/disposal-queue.service';

/**
 * Keeps each person's disposal due date (retention_schedule) in step with their filings and
 * leave date, closes alarms that are no longer due, raises the alarm at once when the person is
 * already due, and asks the queue for a delayed job otherwise.
 */
@Injectable()
export class ScheduleService {
  private readonly logger = new Logger(ScheduleService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subjects: SubjectsService,
    private readonly legal: LegalDataService,
    private readonly clock: ClockService,
    private readonly alarms: AlarmsService,
    private readonly queue: DisposalQueueService,
    private readonly repository: RetentionRepository,
  ) {}

  /**
   * Every relationship that justified holding the person's number, when it ended, and the
   * post-leaving floor that applies after it (none once an admin approved early disposal for
   * that departure).
   */
  async relationshipEnds(subject: Subject, manager?: EntityManager): Promise<RelationshipEnd[]> {
    const released = await this.repository.approvedEarlyDisposals(subject.id, manager);
    const links = await this.subjects.relationshipsOf(subject.id, manager);
    const employeeIds = [...new Set(links.filter((l) => l.kind === 'dependent' && l.employeeId).map((l) => l.employeeId!))];
    const employees = new Map((await this.subjects.findMany(employeeIds)).map((e) => [e.id, e]));
    return links.map((link) => {
      const leftOn =
        link.kind === 'dependent'
          ? effectiveLeftOn(
              { kind: 'dependent', leftAt: link.endedAt },
              link.employeeId && employees.has(link.employeeId) ? { kind: 'employee', leftAt: employees.get(link.employeeId)!.leftAt } : null,
            )
          : link.endedAt;
      const isReleased = leftOn !== null && released.some((r) => r.relationshipKind === link.kind && r.leftOn === leftOn);
      const floor = this.legal.retentionFloor(link.kind);
      return { kind: link.kind, leftOn, floor: floor && !isReleased ? { code: floor.code, deadline: floor.deadline } : null };
    });
  }

  /** A person's due date from current data (not the stored schedule). */
  async compute(subject: Subject, manager?: EntityManager): Promise<DueResult> {
    const ends = await this.relationshipEnds(subject, manager);
    const filings = await this.repository.filingsCarrying(subject.id, manager);
    return disposalDueDate(
      ends,
      filings.map((filing) => ({ filing, rule: this.legal.retentionRule(filing.documentType) as RuleFacts | undefined })),
    );
  }

  /** When a leaver kept only by an open matter is to be reviewed ("still needed?"); null otherwise. */
  private async reviewOn(subjectId: string, due: DueResult, manager: EntityManager): Promise<string | null> {
    if (due.reason !== 'matter-open' || due.leftOn === null) return null;
    const first = addMonths(due.leftOn, this.legal.openMatterReview.reviewAfterLeavingMonths);
    const confirmed = await this.repository.nextConfirmedReview(subjectId, manager);
    return confirmed ? maxDate(first, confirmed) : first;
  }

  async stored(subjectId: string): Promise<RetentionSchedule | null> {
    return this.dataSource.manager.findOneBy(RetentionSchedule, { subjectId });
  }

  /**
   * Recomputes and stores the due date. `newFiling`: a number is in use again, so an earlier
   * disposal no longer settles this person (also when they have not left).
   */
  async recompute(subjectId: string, options: { newFiling?: boolean } = {}): Promise<DueResult | null> {
    const [subject] = await this.subjects.findMany([subjectId]);
    if (!subject) return null;
    const due = await this.compute(subject);
    const now = this.clock.now();
    const today = localDate(now);
    const dueNow = due.dueOn !== null && due.dueOn <= today;
    const resetDisposal = due.leftOn === null || !!options.newFiling;
    await this.dataSource.transaction(async (m) => {
      await this.repository.upsertSchedule(subjectId, due, now, resetDisposal, m);
      const reviewOn = await this.reviewOn(subjectId, due, m);
      await this.repository.setReviewOn(subjectId, reviewOn, m);
      if (reviewOn === null) await this.repository.withdrawOpenReview(subjectId, now, m);
      if (dueNow) await this.alarms.retarget(subjectId, due.dueOn!, due.rule, m);
      else await this.alarms.withdrawActive(subjectId, m);
    });
    if (dueNow) await this.alarms.raiseDue('recompute', subjectId);
    await this.queue.schedule(subjectId, due.dueOn !== null && !dueNow ? startOfLocalDay(due.dueOn) : null);
    return due;
  }

  /** A leave date (or a dependent's employee's) changed. Never throws into the subjects module. */
  @OnEvent(SUBJECT_LEAVE_CHANGED)
  async onLeaveChanged(event: SubjectLeaveChanged): Promise<void> {
    try {
      await this.recompute(event.subjectId);
    } catch (error) {
      this.logger.error(`Could not recompute a disposal due date (the next change to this person recomputes it): ${(error as Error).message}`);
    }
  }
}
