import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NumberStatusDto } from '@/numbers/dto/number.dto';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class NumbersRevealAnswerDto {
  @ApiProperty({ type: String })
  number: string;
}

export class SubjectViewsListAnswerItemsItemDto {
  @ApiPropertyOptional({ type: () => NumberStatusDto })
  number?: NumberStatusDto;

  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['employee', 'dependent', 'payee'] })
  kind: 'employee' | 'dependent' | 'payee';

  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ type: String, nullable: true })
  nameKana: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'A dependent: the employee (person id) they belong to' })
  employeeId: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  hiredAt: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  leftAt: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;
}

export class SubjectViewsListAnswerDto {
  @ApiProperty({ type: () => SubjectViewsListAnswerItemsItemDto, isArray: true })
  items: SubjectViewsListAnswerItemsItemDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export class SubjectPurposeDto {
  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: String, format: 'uuid' })
  relationshipId: string;

  @ApiProperty({ type: String })
  purpose: string;

  @ApiProperty({ type: String, format: 'date-time' })
  notifiedAt: string;

  @ApiProperty({ type: String, nullable: true })
  recordedBy: string | null;
}

export class SubjectRelationshipDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ enum: ['employee', 'dependent', 'payee'] })
  kind: 'employee' | 'dependent' | 'payee';

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'A dependent: the employee (person id) they belong to' })
  employeeId: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  endedAt: string | null;

  @ApiProperty({ type: Boolean })
  isPrimary: boolean;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;
}

export class SubjectViewsGetAnswerDto {
  @ApiProperty({ type: () => SubjectPurposeDto, isArray: true })
  purposes: SubjectPurposeDto[];

  @ApiProperty({ type: () => SubjectRelationshipDto, isArray: true })
  relationships: SubjectRelationshipDto[];

  @ApiProperty({ type: () => NumberStatusDto })
  number: NumberStatusDto;

  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['employee', 'dependent', 'payee'] })
  kind: 'employee' | 'dependent' | 'payee';

  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ type: String, nullable: true })
  nameKana: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'A dependent: the employee (person id) they belong to' })
  employeeId: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  hiredAt: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  leftAt: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;
}
