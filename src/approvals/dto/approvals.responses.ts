import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { StaffAccountDto } from '@/users/dto/user.dto';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class PolicyViewDto {
  @ApiProperty({ enum: ['required', 'waived', 'not-set'] })
  fourEyes: 'required' | 'waived' | 'not-set';

  @ApiProperty({ type: String, nullable: true })
  reason: string | null;

  @ApiProperty({ type: String, nullable: true })
  setBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  setAt: string | null;
}

export class ApprovalsListAnswerRequestsItemDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  kind: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  targetId: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  payload: Record<string, unknown>;

  @ApiProperty({ enum: ['pending', 'approved', 'declined'] })
  status: 'pending' | 'approved' | 'declined';

  @ApiProperty({ type: String })
  requestedBy: string;

  @ApiProperty({ type: String })
  requestedByUsername: string;

  @ApiProperty({ type: String, format: 'date-time' })
  requestedAt: string;

  @ApiProperty({ type: String, nullable: true })
  decidedBy: string | null;

  @ApiProperty({ type: String, nullable: true })
  decidedByUsername: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  decisionNote: string | null;

  @ApiProperty({ type: Boolean })
  selfApproved: boolean;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'What the request is about, from the module that carries it out (a disposal: subjectCode, subjectName, subjectKind, dueOn); null when nothing to add',
  })
  about?: Record<string, unknown> | null;
}

export class ApprovalsListAnswerDto {
  @ApiProperty({ type: () => ApprovalsListAnswerRequestsItemDto, isArray: true })
  requests: ApprovalsListAnswerRequestsItemDto[];

  @ApiProperty({ type: () => StaffAccountDto, isArray: true })
  accounts: StaffAccountDto[];
}

export class ApprovalsApproveAnswerDto {
  @ApiProperty({ type: () => ApprovalsListAnswerRequestsItemDto })
  approval: ApprovalsListAnswerRequestsItemDto;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'What the approved action did (its own answer, e.g. the disposal record), null when it returns nothing',
  })
  result: unknown;
}
