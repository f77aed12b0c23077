import { ApiProperty } from '@nestjs/swagger';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class AllowListListAnswerItemsItemDto {
  @ApiProperty({ type: String })
  role: string;

  @ApiProperty({ type: String, isArray: true })
  cidrs: string[];

  @ApiProperty({ type: String })
  setBy: string;

  @ApiProperty({ type: String, format: 'date-time' })
  setAt: string;
}

export class AllowListListAnswerDto {
  @ApiProperty({ type: () => AllowListListAnswerItemsItemDto, isArray: true })
  items: AllowListListAnswerItemsItemDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The address this request came from, as the API sees it (for a warning before a list leaves it out)',
  })
  yourAddress: string | null;
}
