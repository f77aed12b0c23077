import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, ValidateIf } from 'class-validator';
import { IsBoundedDate } from '@/common/http/dates';
import { ReasonField } from '@/common/screening/reason-field.decorator';
import { SUBJECT_KINDS, SubjectKind } from '@/config/legal-data';
import { EARLY_DISPOSAL_STATUSES, EarlyDisposalStatus } from '../entities/early-disposal.entity';
import { REVIEW_STATUSES, ReviewStatus } from '../entities/matter-review.entity';

export class RequestEarlyDisposalDto {
  @ApiPropertyOptional({ enum: SUBJECT_KINDS, description: 'The relationship whose departure filings are done (default: the primary one)' })
  @IsOptional()
  @IsIn(SUBJECT_KINDS, { message: `relationshipKind must be one of: ${SUBJECT_KINDS.join(', ')}` })
  relationshipKind?: SubjectKind;

  @ApiProperty({
    example: '2025-07-15',
    description:
      'The day the last of the filings that follow the departure (源泉徴収票, 給与支払報告書, 資格喪失届; for a payee the 支払調書) was done; not in the future',
  })
  @IsBoundedDate('filingsDoneOn')
  filingsDoneOn: string;

  @ReasonField({ description: 'Which filings, how; must not contain a number' })
  note?: string;
}

export class DecideEarlyDisposalDto {
  @ReasonField({ description: 'Why (required to reject); must not contain a number' })
  reason?: string;
}

export class ListEarlyDisposalsQuery {
  @ApiPropertyOptional({ enum: EARLY_DISPOSAL_STATUSES, default: 'pending' })
  @IsOptional()
  @IsIn(EARLY_DISPOSAL_STATUSES, { message: `status must be one of: ${EARLY_DISPOSAL_STATUSES.join(', ')}` })
  status?: EarlyDisposalStatus;
}

export class ConfirmReviewDto {
  @ReasonField({
    required: true,
    description: 'Why the number is still needed (the matter that is still open); must not contain a number',
    example: '傷病手当金の請求が継続中',
  })
  reason: string;
}

export class CloseReviewDto {
  @ApiProperty({ description: 'The day the open matters closed (完結の日); not in the future', example: '2026-05-31' })
  @IsBoundedDate('closedAt')
  closedAt: string;
}

export class ListReviewsQuery {
  @ApiPropertyOptional({ enum: REVIEW_STATUSES, default: 'open' })
  @IsOptional()
  @IsIn(REVIEW_STATUSES, { message: `status must be one of: ${REVIEW_STATUSES.join(', ')}` })
  status?: ReviewStatus;
}

/** PUT /subjects/:id/leave: the leave date (left, removed from the declaration, contract ended); clerk or admin. */
export class SetLeaveDateDto {
  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    example: '2026-03-31',
    description: 'The last day of the relationship; null clears it (the person returned)',
  })
  @ValidateIf((_, v) => v !== null)
  @IsBoundedDate('leftAt')
  leftAt: string | null;
}
