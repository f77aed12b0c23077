import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ClockService } from '@/config/clock.service';
import { LegalDataService } from '@/config/legal-data.service';
import { SUBJECT_LEAVE_CHANGED, SubjectLeaveChanged, SubjectsService } from '@/subjects/subjects.service';
import { Subject } from '@/subjects/subject.entity';
import { AlarmsService } from './alarms.service';
import { disposalDueDate, DueResult, effectiveLeftOn, localDate, RuleFacts, startOfLocalDay } from './due-dates';
import { Filing } from './entities/filing.entity';
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
  ) {}

  /** A person's due date from current data (not the stored schedule). */
  async compute(subject: Subject, manager?: EntityManager): Promise<DueResult> {
    const employee = subject.kind === 'dependent' && subject.employeeId ? (await this.subjects.findMany([subject.employeeId]))[0] ?? null : null;
    const filings = await (manager ?? this.dataSource.manager).find(Filing, { where: { subjectId: subject.id } });
    return disposalDueDate(
      effectiveLeftOn(subject, employee),
      filings.map((filing) => ({ filing, rule: this.legal.retentionRule(filing.documentType) as RuleFacts | undefined })),
    );
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
      await m.query(
        `INSERT INTO retention_schedule (subject_id, due_on, rule, reason, left_on, computed_at, disposed_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL)
         ON CONFLICT (subject_id) DO UPDATE SET
           due_on = EXCLUDED.due_on, rule = EXCLUDED.rule, reason = EXCLUDED.reason, left_on = EXCLUDED.left_on,
           computed_at = EXCLUDED.computed_at,
           disposed_at = CASE WHEN $7 THEN NULL ELSE retention_schedule.disposed_at END`,
        [subjectId, due.dueOn, due.rule, due.reason, due.leftOn, now, resetDisposal],
      );
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
