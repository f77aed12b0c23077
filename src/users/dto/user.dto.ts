import { PageDto } from '@/common/http/page.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Role, ROLES } from '@/common/auth/roles';
import { normalizeUsername, USERNAME_PATTERN, USERNAME_RULE } from '../username';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';

export class CreateUserDto {
  @ApiProperty({ example: 'sato.h', description: USERNAME_RULE + ' (stored lower-case)' })
  @Transform(({ value }) => normalizeUsername(value))
  @IsString()
  @Matches(USERNAME_PATTERN, { message: USERNAME_RULE })
  @NoNumberLike()
  username: string;

  @ApiProperty({ example: '佐藤 花子' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @NoNumberLike()
  displayName: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['clerk'] })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles: Role[];
}

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES, isArray: true, description: 'Replaces the roles; the last active admin keeps admin' })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles?: Role[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @NoNumberLike()
  displayName?: string;
}

export class DeactivateUserDto {
  @ApiProperty({ example: 'Left the company on 2026-03-31', description: 'Why access ends (kept with the account and in the trail)' })
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  @NoNumberLike()
  reason: string;
}

export class ListUsersQuery {
  @ApiPropertyOptional({ enum: ['active', 'deactivated'] })
  @IsOptional()
  @IsIn(['active', 'deactivated'])
  status?: 'active' | 'deactivated';

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, default: 100, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class CreatedUserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty({ description: 'Shown once; must be changed at first login' }) initialPassword: string;
}

export class StaffAccountDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: ROLES, isArray: true }) roles: Role[];
  @ApiProperty({ enum: ROLES, isArray: true, description: 'Roles asked for, waiting for the responsible person (GET /approvals)' }) pendingRoles: Role[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The outside firm (委託先) the account belongs to' }) firmId: string | null;
  @ApiProperty({ enum: ['active', 'deactivated'] }) status: 'active' | 'deactivated';
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deactivatedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) deactivationReason: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastLoginAt: string | null;
  @ApiProperty() totpEnrolled: boolean;
  @ApiProperty() mustChangePassword: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lockedUntil: string | null;
  @ApiProperty({ type: String, nullable: true }) trainingVersion: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) trainingAcknowledgedAt: string | null;
  @ApiProperty({ description: 'Acknowledged the current handling rules within TRAINING_VALID_MONTHS' }) trainingCurrent: boolean;
  @ApiProperty({ description: 'Active, and no login (or never since creation) for DORMANT_DAYS: review it' }) dormant: boolean;
  @ApiProperty({
    nullable: true,
    enum: ['admin+clerk', null],
    description: 'Roles held together only as an exception to separation of duties (a one-person company): auditors review it',
  })
  sodException: 'admin+clerk' | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: string;
}

export class StaffAccountPageDto extends PageDto(StaffAccountDto) {}
