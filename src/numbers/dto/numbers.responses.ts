import { PageDto } from '@/common/http/page.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NumberStatusDto } from '@/numbers/dto/number.dto';
import { SubjectDto, SubjectPurposeDto, SubjectRelationshipDto } from '@/subjects/dto/subjects.responses';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class NumbersRevealAnswerDto {
  @ApiProperty({ type: String })
  number: string;
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
