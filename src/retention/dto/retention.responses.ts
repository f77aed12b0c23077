import { PageDto } from '@/common/http/page.dto';
import { ApiProperty, PickType } from '@nestjs/swagger';
import { SubjectDto, SubjectRelationshipDto } from '@/subjects/dto/subjects.responses';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class FilingViewDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: String })
  documentType: string;

  @ApiProperty({ type: String, nullable: true })
  label: string | null;

  @ApiProperty({ type: String, nullable: true })
  basis: string | null;

  @ApiProperty({ type: String, nullable: true })
  period: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  taxYear: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  fiscalYear: number | null;

  @ApiProperty({ type: String, nullable: true })
  startFromTaxYear: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  submittedAt: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  closedAt: string | null;

  @ApiProperty({ type: String, isArray: true })
  people: string[];

  @ApiProperty({ type: String, nullable: true })
  retentionStart: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  dueOn: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  recordedAt: string;
}

export class ScheduleViewDto {
  @ApiProperty({ type: String, format: 'date', nullable: true })
  dueOn: string | null;

  @ApiProperty({ type: String, nullable: true })
  rule: string | null;

  @ApiProperty({ type: String })
  reason: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  leftOn: string | null;
}

export class FilingsRecordAnswerDto {
  @ApiProperty({ type: () => FilingViewDto })
  filing: FilingViewDto;

  @ApiProperty({ type: () => ScheduleViewDto, nullable: true })
  schedule: ScheduleViewDto | null;
}

export class FilingsListAnswerDto {
  @ApiProperty({ type: () => FilingViewDto, isArray: true })
  items: FilingViewDto[];

  @ApiProperty({ type: 'string', nullable: true })
  nextCursor: null;

  @ApiProperty({ type: () => ScheduleViewDto, nullable: true })
  schedule: ScheduleViewDto | null;
}

/** One relationship behind a person's due date, with the date it gives and the floor it keeps. */
export class RetentionExplanationRelationshipsItemDto extends PickType(SubjectRelationshipDto, ['id', 'employeeId', 'startedAt', 'endedAt'] as const) {
  @ApiProperty({ type: String })
  kind: string;

  @ApiProperty({ type: Boolean })
  primary: boolean;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  leftOn: string | null;

  @ApiProperty({ type: String, nullable: true })
  floor: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  floorDueOn: string | null;

  @ApiProperty({ type: Boolean })
  floorReleased: boolean;
}

export class RetentionExplanationDto {
  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  dueOn: string | null;

  @ApiProperty({ type: String, nullable: true })
  rule: string | null;

  @ApiProperty({ type: String, nullable: true })
  ruleLabel: string | null;

  @ApiProperty({ type: String, nullable: true })
  basis: string | null;

  @ApiProperty({ type: String, nullable: true })
  period: string | null;

  @ApiProperty({ type: String })
  reason: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  leftOn: string | null;

  @ApiProperty({ type: String })
  why: string;

  @ApiProperty({ type: () => RetentionExplanationRelationshipsItemDto, isArray: true })
  relationships: RetentionExplanationRelationshipsItemDto[];

  @ApiProperty({ type: String, format: 'date', nullable: true })
  reviewOn: string | null;

  @ApiProperty({ type: Boolean })
  notProvided: boolean;
}

export class EarlyDisposalDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ enum: ['employee', 'dependent', 'payee'] })
  relationshipKind: 'employee' | 'dependent' | 'payee';

  @ApiProperty({ type: String, format: 'date' })
  leftOn: string;

  @ApiProperty({ type: String, format: 'date' })
  filingsDoneOn: string;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ enum: ['pending', 'approved', 'rejected'] })
  status: 'pending' | 'approved' | 'rejected';

  @ApiProperty({ type: String })
  recordedBy: string;

  @ApiProperty({ type: String, format: 'date-time' })
  recordedAt: string;

  @ApiProperty({ type: String, nullable: true })
  decidedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  decisionReason: string | null;
}

export class EarlyDisposalSubjectDto {
  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ enum: ['employee', 'dependent', 'payee'] })
  kind: string;
}

export class EarlyDisposalListItemDto extends EarlyDisposalDto {
  @ApiProperty({ type: () => EarlyDisposalSubjectDto, nullable: true, description: 'The person (null when the record is gone)' })
  subject: EarlyDisposalSubjectDto | null;
}

export class PostLeavingListEarlyAnswerDto {
  @ApiProperty({ type: () => EarlyDisposalListItemDto, isArray: true })
  items: EarlyDisposalListItemDto[];
}

export class OpenMatterItemSubjectDto extends PickType(SubjectDto, ['id', 'code', 'name', 'kind'] as const) {}

export class OpenMatterItemMattersItemDto {
  @ApiProperty({ type: String, format: 'uuid' })
  filingId: string;

  @ApiProperty({ type: String })
  documentType: string;

  @ApiProperty({ type: String, nullable: true })
  label: string | null;

  @ApiProperty({ type: String })
  openSince: string;
}

export class OpenMatterItemReviewDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  status: string;

  @ApiProperty({ type: String, format: 'date' })
  dueOn: string;
}

export class OpenMatterItemDto {
  @ApiProperty({ type: () => OpenMatterItemSubjectDto })
  subject: OpenMatterItemSubjectDto;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  leftOn: string | null;

  @ApiProperty({ type: () => OpenMatterItemMattersItemDto, isArray: true })
  matters: OpenMatterItemMattersItemDto[];

  @ApiProperty({ type: String })
  since: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  reviewOn: string | null;

  @ApiProperty({ type: () => OpenMatterItemReviewDto, nullable: true })
  review: OpenMatterItemReviewDto | null;
}

export class PostLeavingOpenMattersAnswerDto {
  @ApiProperty({ type: () => OpenMatterItemDto, isArray: true })
  items: OpenMatterItemDto[];
}

export class MatterReviewDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: String, format: 'date' })
  dueOn: string;

  @ApiProperty({ enum: ['open', 'confirmed', 'closed', 'withdrawn'] })
  status: 'open' | 'confirmed' | 'closed' | 'withdrawn';

  @ApiProperty({ type: String, format: 'date-time' })
  raisedAt: string;

  @ApiProperty({ type: String })
  raisedBy: string;

  @ApiProperty({ type: String, nullable: true })
  decidedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  reason: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  nextReviewOn: string | null;
}

export class PostLeavingReviewsAnswerDto {
  @ApiProperty({ type: () => MatterReviewDto, isArray: true })
  items: MatterReviewDto[];
}

export class AlarmViewSubjectDto extends PickType(SubjectDto, ['id', 'code', 'kind', 'name', 'leftAt'] as const) {}

export class AlarmViewDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['open', 'withdrawn', 'postponed', 'disposed'] })
  status: 'open' | 'withdrawn' | 'postponed' | 'disposed';

  @ApiProperty({ type: String, format: 'date' })
  dueOn: string;

  @ApiProperty({ type: String, nullable: true })
  rule: string | null;

  @ApiProperty({ type: String, nullable: true })
  ruleLabel: string | null;

  @ApiProperty({ type: String, nullable: true })
  basis: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  raisedAt: string;

  @ApiProperty({ type: String })
  raisedBy: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  postponedUntil: string | null;

  @ApiProperty({ type: String, nullable: true })
  postponeReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  reopenedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  disposalId: string | null;

  @ApiProperty({ type: () => AlarmViewSubjectDto, nullable: true })
  subject: AlarmViewSubjectDto | null;

  @ApiProperty({ type: Boolean })
  numberOnFile: boolean;

  @ApiProperty({ type: 'integer', description: 'Recorded filings that carry the number; 0: the vault knows of none' })
  filingsRecorded: number;
}

export class RetentionListAnswerDto extends PageDto(AlarmViewDto) {}

export class RaiseDueResultDto {
  @ApiProperty({ type: Number })
  raised: number;

  @ApiProperty({ type: Number })
  reopened: number;

  @ApiProperty({ type: Number })
  reviews: number;
}

export class RetentionQueueStatusAnswerDto {
  @ApiProperty({ type: Boolean })
  available: boolean;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  counts: Record<string, unknown> | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextSweepAt: string | null;

  @ApiProperty({ type: 'integer' })
  sweepEveryMs: number;
}

export class DisposalRecordDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid' })
  alarmId: string;

  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: String })
  subjectCode: string;

  @ApiProperty({ type: String })
  subjectKind: string;

  @ApiProperty({ type: String, nullable: true })
  rule: string | null;

  @ApiProperty({ type: String, nullable: true })
  basis: string | null;

  @ApiProperty({ type: String, format: 'date' })
  dueOn: string;

  @ApiProperty({ type: String, format: 'date-time' })
  disposedAt: string;

  @ApiProperty({ type: String })
  disposedBy: string;

  @ApiProperty({ type: String })
  disposedByUsername: string;

  @ApiProperty({ type: String })
  approvedBy: string;

  @ApiProperty({ type: String })
  approvedByUsername: string;

  @ApiProperty({
    enum: ['approved', 'waived', 'not-configured'],
    nullable: true,
    description:
      'How it was approved: by a second person, alone under a recorded four-eyes waiver (flagged to auditors), or with no four-eyes policy set up; null on records from before this was recorded',
  })
  fourEyes: 'approved' | 'waived' | 'not-configured' | null;

  @ApiProperty({ type: String, nullable: true, description: "The four-eyes waiver's recorded reason, when fourEyes is waived" })
  waiverReason: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The approval request carried out, when there was one' })
  approvalId: string | null;

  @ApiProperty({ type: String })
  method: string;

  @ApiProperty({ type: Boolean })
  numberWasOnFile: boolean;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  batchId: string | null;
}

export class RetentionDisposalRecordsAnswerDto extends PageDto(DisposalRecordDto) {}

export class SkippedDisposalDto {
  @ApiProperty({ type: String, format: 'uuid' })
  alarmId: string;

  @ApiProperty({ type: String, description: 'Error code of the refusal (src/common/http/error-codes.ts)' })
  code: string;

  @ApiProperty({ type: String })
  reason: string;
}

export class BatchDisposalResultDto {
  @ApiProperty({ type: String, format: 'uuid' })
  batchId: string;

  @ApiProperty({ type: 'integer' })
  disposed: number;

  @ApiProperty({ type: () => DisposalRecordDto, isArray: true })
  records: DisposalRecordDto[];

  @ApiProperty({ type: () => SkippedDisposalDto, isArray: true })
  skipped: SkippedDisposalDto[];
}

/** 202: the disposal waits for another responsible person (four eyes, POST /approvals/{id}/approve). */
export class PendingDisposalDto {
  @ApiProperty({ enum: ['pending-approval'] })
  status: 'pending-approval';

  @ApiProperty({ type: String, format: 'uuid' })
  approvalId: string;

  @ApiProperty({ enum: ['disposal', 'disposal-batch'] })
  kind: 'disposal' | 'disposal-batch';
}

/** A person as the admin's people list shows them: who, and when their number may go. */
export class AdminPersonViewDto extends PickType(SubjectDto, ['id', 'code', 'name', 'nameKana', 'kind', 'employeeId', 'hiredAt', 'leftAt'] as const) {
  @ApiProperty({ type: String, format: 'date', nullable: true })
  dueOn: string | null;

  @ApiProperty({ type: String, nullable: true })
  rule: string | null;

  @ApiProperty({ type: String, nullable: true })
  ruleLabel: string | null;

  @ApiProperty({ type: String })
  reason: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  disposedAt: string | null;
}

export class PostLeavingPeopleAnswerDto extends PageDto(AdminPersonViewDto) {}

export class PostLeavingSetLeaveAnswerDto {
  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  leftAt: string | null;

  @ApiProperty({ type: () => RetentionExplanationDto })
  retention: RetentionExplanationDto;
}
