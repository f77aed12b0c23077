import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { FOUR_EYES_MODES, FourEyesMode } from '../approval-policy.entity';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';
import { ReasonField } from '@/common/screening/reason-field.decorator';
import { APPROVAL_STATUSES, ApprovalStatus } from '../approval-request.entity';

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
  @NoNumberLike()
  reason?: string;
}

export class DecisionDto {
  @ReasonField({ description: 'Kept with the decision; must not contain a number' })
  note?: string;
}

export class ListApprovalsQuery {
  @ApiPropertyOptional({ enum: APPROVAL_STATUSES, default: 'pending' })
  @IsOptional()
  @IsIn(APPROVAL_STATUSES, { message: `status must be one of: ${APPROVAL_STATUSES.join(', ')}` })
  status?: ApprovalStatus;
}
