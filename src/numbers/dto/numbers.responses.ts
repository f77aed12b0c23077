import { PageDto } from '@/common/http/page.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NumberStatusDto } from '@/numbers/dto/number.dto';
import { SubjectDto, SubjectPurposeDto, SubjectRelationshipDto } from '@/subjects/dto/subjects.responses';

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

/** A person in the list, with whether a number is on file (the clerk's list). */
export class SubjectViewsListAnswerItemsItemDto extends SubjectDto {
  @ApiPropertyOptional({ type: () => NumberStatusDto })
  number?: NumberStatusDto;
}

export class SubjectViewsListAnswerDto extends PageDto(SubjectViewsListAnswerItemsItemDto) {}

/** One person with their purposes, relationships and number status. */
export class SubjectViewsGetAnswerDto extends SubjectDto {
  @ApiProperty({ type: () => SubjectPurposeDto, isArray: true })
  purposes: SubjectPurposeDto[];

  @ApiProperty({ type: () => SubjectRelationshipDto, isArray: true })
  relationships: SubjectRelationshipDto[];

  @ApiProperty({ type: () => NumberStatusDto })
  number: NumberStatusDto;
}
