import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { FOUR_EYES_MODES, FourEyesMode } from '../approval-policy.entity';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';
import { APPROVAL_STATUSES, ApprovalStatus } from '../approval-request.entity';

/** Free text must never carry a number: refuse long digit runs outright (also full-width). */
export const NO_LONG_DIGITS = /^(?![\s\S]*[0-9０-９]{8,})[\s\S]*$/;

export class SetPolicyDto {
  @ApiProperty({ enum: FOUR_EYES_MODES, description: 'required: another person approves; waived: a company too small for two people (flagged to auditors)' })
  @IsIn(FOUR_EYES_MODES, { message: `fourEyes must be one of: ${FOUR_EYES_MODES.join(', ')}` })
  fourEyes: FourEyesMode;

  @ApiPropertyOptional({
    description: 'Why four eyes are waived (required when waived); must not contain a number',
    example: 'Sole proprietor: one person keeps the books',
  })
  @ValidateIf((o: SetPolicyDto) => o.fourEyes === 'waived' || o.reason !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'reason is required when four eyes are waived' })
  @MaxLength(500)
  @Matches(NO_LONG_DIGITS, { message: 'reason must not contain long digit runs' })
  @NoNumberLike()
  reason?: string;
}

export class DecisionDto {
  @ApiPropertyOptional({ description: 'Kept with the decision; must not contain a number' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(NO_LONG_DIGITS, { message: 'note must not contain long digit runs' })
  @NoNumberLike()
  note?: string;
}

export class ListApprovalsQuery {
  @ApiPropertyOptional({ enum: APPROVAL_STATUSES, default: 'pending' })
  @IsOptional()
  @IsIn(APPROVAL_STATUSES, { message: `status must be one of: ${APPROVAL_STATUSES.join(', ')}` })
  status?: ApprovalStatus;
}
