import { ApiProperty, PickType } from '@nestjs/swagger';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class SubjectDto {
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

/** A purpose the person was told of, as PUT /subjects/{id}/purposes answers it. */
export class SubjectsNotifyAnswerPurposesItemDto extends PickType(SubjectPurposeDto, ['purpose', 'notifiedAt', 'relationshipId'] as const) {}

export class SubjectsNotifyAnswerDto {
  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: () => SubjectsNotifyAnswerPurposesItemDto, isArray: true })
  purposes: SubjectsNotifyAnswerPurposesItemDto[];
}

export class SubjectsRelationshipsAnswerDto {
  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: () => SubjectRelationshipDto, isArray: true })
  items: SubjectRelationshipDto[];
}

export class NumberRequestDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: String, format: 'date' })
  requestedOn: string;

  @ApiProperty({ enum: ['mail', 'other', 'in-person', 'document', 'email', 'phone'] })
  means: 'mail' | 'other' | 'in-person' | 'document' | 'email' | 'phone';

  @ApiProperty({ enum: ['refused', 'no-answer', 'will-provide'] })
  answer: 'refused' | 'no-answer' | 'will-provide';

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ type: String })
  recordedBy: string;

  @ApiProperty({ type: String, format: 'date-time' })
  recordedAt: string;
}

export class SubjectsNumberRequestsAnswerDto {
  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: () => NumberRequestDto, isArray: true })
  items: NumberRequestDto[];
}
