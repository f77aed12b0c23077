import { ApiProperty } from '@nestjs/swagger';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class KeyVersionViewDto {
  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ type: Boolean })
  current: boolean;

  @ApiProperty({ type: Boolean })
  present: boolean;

  @ApiProperty({ type: Number })
  dataKeys: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  retiredAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  retiredBy: string | null;

  @ApiProperty({ type: String, nullable: true })
  destroyAfter: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  destroyedAt: string | null;
}
