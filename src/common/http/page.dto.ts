import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/**
 * One page of a keyset-paged list in the OpenAPI document: the page's items and the cursor of the
 * next page (null on the last). Extend it so the schema keeps its own name:
 * `export class AlarmPageDto extends PageDto(AlarmViewDto) {}`.
 */
export function PageDto<T>(item: Type<T>) {
  abstract class Page {
    @ApiProperty({ type: () => item, isArray: true })
    items: T[];

    @ApiProperty({ type: String, nullable: true })
    nextCursor: string | null;
  }
  return Page;
}
