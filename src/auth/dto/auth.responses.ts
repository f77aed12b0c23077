import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ChallengeAnswerDto, EnrolAnswerDto, ActivatedAnswerDto, SessionAnswerDto } from '@/auth/dto/auth.dto';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class MeMeAnswerSessionDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  stepUpAt: string | null;
}

export class MeMeAnswerDto {
  @ApiProperty({ type: String })
  currentTrainingVersion: string;

  @ApiProperty({ type: () => MeMeAnswerSessionDto })
  session: MeMeAnswerSessionDto;

  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  username: string;

  @ApiProperty({ type: String })
  displayName: string;

  @ApiProperty({ enum: ['clerk', 'auditor', 'admin', 'responsible'], isArray: true })
  roles: ('clerk' | 'auditor' | 'admin' | 'responsible')[];

  @ApiProperty({ enum: ['clerk', 'auditor', 'admin', 'responsible'], isArray: true })
  pendingRoles: ('clerk' | 'auditor' | 'admin' | 'responsible')[];

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  firmId: string | null;

  @ApiProperty({ enum: ['active', 'deactivated'] })
  status: 'active' | 'deactivated';

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  deactivatedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  deactivationReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastLoginAt: string | null;

  @ApiProperty({ type: Boolean })
  totpEnrolled: boolean;

  @ApiProperty({ type: Boolean })
  mustChangePassword: boolean;

  @ApiProperty({ type: String, nullable: true })
  lockedUntil: string | null;

  @ApiProperty({ type: String, nullable: true })
  trainingVersion: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  trainingAcknowledgedAt: string | null;

  @ApiProperty({ type: Boolean })
  trainingCurrent: boolean;

  @ApiProperty({ type: Boolean })
  dormant: boolean;

  @ApiProperty({ enum: ['admin+clerk', null], nullable: true })
  sodException: 'admin+clerk' | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;
}

export class MeTrainingAnswerDto {
  @ApiProperty({ type: String })
  version: string;

  @ApiProperty({ type: String })
  title: string;

  @ApiProperty({ type: String, isArray: true })
  text: string[];

  @ApiProperty({ type: String, nullable: true })
  acknowledgedVersion: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  acknowledgedAt: string | null;

  @ApiProperty({ type: Boolean })
  current: boolean;
}
