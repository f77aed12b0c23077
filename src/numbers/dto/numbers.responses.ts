import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NumberStatusDto } from '@/numbers/dto/number.dto';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class NumbersRevealAnswerDto {
  @ApiProperty({ type: String })
  number: string;
}

/** POST /reveals with encryption = passphrase (issue #19): the passphrase is in this answer only. */
export class NumbersExportPassphraseAnswerDto {
  @ApiProperty({
    type: String,
    description: 'The one-time passphrase: deliver it separately from the file (phone, paper); the vault keeps no copy',
    example: 'K7MNP-Q2RST-UVW3X-YZ4AB-CDE5F-GHJ6K',
  })
  passphrase: string;

  @ApiProperty({ type: String, example: 'my-numbers.csv.asc' })
  filename: string;

  @ApiProperty({ type: String, example: 'application/pgp-encrypted' })
  contentType: string;

  @ApiProperty({ type: String, description: 'The export as an ASCII-armored OpenPGP message (symmetric, AES-256): gpg --decrypt asks for the passphrase' })
  file: string;
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
