import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { DATE_MAX, DATE_MIN, IsBoundedDate, IsBoundedDateTime } from '@/common/http/dates';
import { SUBJECT_KINDS, SubjectKind } from '@/config/legal-data';
import { REQUEST_ANSWERS, REQUEST_MEANS } from '../number-request.entity';
import { NoNumberLike } from '@/common/screening/no-number-like.decorator';
import { ReasonField } from '@/common/screening/reason-field.decorator';

export class CreateSubjectDto {
  @ApiProperty({ enum: SUBJECT_KINDS })
  @IsIn(SUBJECT_KINDS, { message: `kind must be one of: ${SUBJECT_KINDS.join(', ')}` })
  kind: SubjectKind;

  @ApiProperty({ description: "The company's own code for the person (staff code, payee code)", example: 'E-0001' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'code may contain only letters, digits, ".", "_" and "-"' })
  @NoNumberLike()
  code: string;

  @ApiProperty({ example: '山田 太郎' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @NoNumberLike()
  name: string;

  @ApiPropertyOptional({ example: 'ヤマダ タロウ' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[\p{Script=Katakana}\p{Script=Hiragana}ー・\s\u3000]*$/u, { message: 'nameKana must be written in kana' })
  @NoNumberLike()
  nameKana?: string;

  @ApiPropertyOptional({ description: 'For a dependent: the employee it belongs to' })
  @ValidateIf((o: CreateSubjectDto) => o.kind === 'dependent' || o.employeeId !== undefined)
  @IsUUID('all', { message: 'employeeId must be the id of an employee (required for a dependent)' })
  employeeId?: string;

  @ApiPropertyOptional({ example: '2020-04-01', description: `${DATE_MIN}..${DATE_MAX}` })
  @IsOptional()
  @IsBoundedDate('hiredAt')
  hiredAt?: string;

  @ApiPropertyOptional({ description: `Employee left / dependent removed / payee contract ended (${DATE_MIN}..${DATE_MAX})`, example: '2025-03-31' })
  @IsOptional()
  @IsBoundedDate('leftAt')
  leftAt?: string;
}

export class UpdateSubjectDto extends PartialType(PickType(CreateSubjectDto, ['nameKana', 'hiredAt'] as const)) {
  /** Optional, but never null: a person always has a name (PartialType's IsOptional would let null through to the database). */
  @ApiPropertyOptional({ example: '山田 太郎' })
  @ValidateIf((_, v) => v !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  @NoNumberLike()
  name?: string;

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true, description: 'null clears it (the person returned)' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsBoundedDate('leftAt')
  leftAt?: string | null;
}

export class ListSubjectsQuery {
  @ApiPropertyOptional({ description: 'Only the 配偶者・扶養親族 of this employee (as their own kind or a relationship)' })
  @IsOptional()
  @IsUUID('all', { message: 'employeeId must be the id of an employee' })
  employeeId?: string;

  @ApiPropertyOptional({ enum: SUBJECT_KINDS })
  @IsOptional()
  @IsIn(SUBJECT_KINDS, { message: `kind must be one of: ${SUBJECT_KINDS.join(', ')}` })
  kind?: SubjectKind;

  @ApiPropertyOptional({ description: 'Search in code, name and kana' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @NoNumberLike()
  q?: string;

  @ApiPropertyOptional({ enum: ['active', 'left'] })
  @IsOptional()
  @IsIn(['active', 'left'], { message: 'status must be active or left' })
  status?: 'active' | 'left';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,80}$/, { message: 'cursor is not valid' })
  cursor?: string;
}

export class NotifyPurposesDto {
  @ApiProperty({ example: ['withholding-slip', 'health-pension'] })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  purposes: string[];

  @ApiProperty({ example: '2026-04-01T09:00:00+09:00', description: 'When the person was told; not in the future (400 purposes.notified-in-future)' })
  @IsBoundedDateTime('notifiedAt')
  notifiedAt: string;

  @ApiPropertyOptional({ description: "The relationship the notice is for (default: the primary one); replaces only that relationship's purposes" })
  @IsOptional()
  @IsUUID('all', { message: "relationshipId must be the id of one of this person's relationships" })
  relationshipId?: string;
}

export class CreateRelationshipDto {
  @ApiProperty({ enum: SUBJECT_KINDS, description: 'employee, dependent (配偶者・扶養親族 of employeeId) or payee' })
  @IsIn(SUBJECT_KINDS, { message: `kind must be one of: ${SUBJECT_KINDS.join(', ')}` })
  kind: SubjectKind;

  @ApiPropertyOptional({ description: 'For a dependent relationship: the employee' })
  @ValidateIf((o: CreateRelationshipDto) => o.kind === 'dependent' || o.employeeId !== undefined)
  @IsUUID('all', { message: 'employeeId must be the id of an employee (required for a dependent relationship)' })
  employeeId?: string;

  @ApiPropertyOptional({ example: '2024-04-01' })
  @IsOptional()
  @IsBoundedDate('startedAt')
  startedAt?: string;

  @ApiPropertyOptional({ example: '2026-03-31' })
  @IsOptional()
  @IsBoundedDate('endedAt')
  endedAt?: string;
}

export class UpdateRelationshipDto {
  @ApiPropertyOptional({ type: String, format: 'date', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsBoundedDate('startedAt')
  startedAt?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true, description: 'null: the relationship continues (returned)' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsBoundedDate('endedAt')
  endedAt?: string | null;
}

export class CreateNumberRequestDto {
  @ApiProperty({ example: '2026-01-10', description: 'The day the number was asked for; not in the future' })
  @IsBoundedDate('requestedOn')
  requestedOn: string;

  @ApiProperty({ enum: REQUEST_MEANS })
  @IsIn(REQUEST_MEANS, { message: `means must be one of: ${REQUEST_MEANS.join(', ')}` })
  means: (typeof REQUEST_MEANS)[number];

  @ApiProperty({ enum: REQUEST_ANSWERS, description: 'no-answer (not yet given), refused, will-provide' })
  @IsIn(REQUEST_ANSWERS, { message: `answer must be one of: ${REQUEST_ANSWERS.join(', ')}` })
  answer: (typeof REQUEST_ANSWERS)[number];

  @ReasonField({ description: 'Free text; must not contain a number' })
  note?: string;
}
