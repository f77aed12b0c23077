import { ApiProperty } from '@nestjs/swagger';
import { StaffAccountDto } from '@/users/dto/user.dto';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class MeSessionDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  stepUpAt: string | null;
}

/** GET /me: the caller's account, the current handling-rules version and this session. */
export class MeAnswerDto extends StaffAccountDto {
  @ApiProperty({ type: String })
  currentTrainingVersion: string;

  @ApiProperty({ type: () => MeSessionDto })
  session: MeSessionDto;
}

/** The part of the handling rules one of my roles must read. */
export class TrainingSectionDto {
  @ApiProperty({ type: String })
  role: string;

  @ApiProperty({ type: String })
  title: string;

  @ApiProperty({ type: String, isArray: true })
  text: string[];

  @ApiProperty({ type: Boolean, description: 'Whether this role handles numbers (clerks)' })
  seesNumbers: boolean;
}

export class MeTrainingAnswerDto {
  @ApiProperty({ type: () => TrainingSectionDto, isArray: true })
  sections: TrainingSectionDto[];

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
