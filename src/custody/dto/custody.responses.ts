import { ApiProperty } from '@nestjs/swagger';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class CustodyStatusDto {
  @ApiProperty({ enum: ['auto-unseal', 'custody'] })
  mode: 'auto-unseal' | 'custody';

  @ApiProperty({ type: Boolean })
  sealed: boolean;

  @ApiProperty({ type: 'integer', nullable: true })
  threshold: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  shares: number | null;

  @ApiProperty({ type: Number })
  received: number;

  @ApiProperty({ type: String, nullable: true, description: 'Short id of the share set (changes at each rekey)' })
  setId: string | null;
}

export class CustodyViewHoldersItemDto {
  @ApiProperty({ type: String, format: 'uuid' })
  userId: string;

  @ApiProperty({ type: String })
  username: string;

  @ApiProperty({ type: Boolean })
  collected: boolean;
}

export class CustodyTaskDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['rekey'] })
  kind: 'rekey';

  @ApiProperty({ type: String, format: 'uuid' })
  userId: string;

  @ApiProperty({ type: String })
  username: string;

  @ApiProperty({ type: String })
  reason: string;

  @ApiProperty({ type: String, format: 'date-time' })
  openedAt: string;
}

export class CustodyViewDto {
  @ApiProperty({ type: () => CustodyViewHoldersItemDto, isArray: true })
  holders: CustodyViewHoldersItemDto[];

  @ApiProperty({ type: () => CustodyTaskDto, isArray: true })
  tasks: CustodyTaskDto[];

  @ApiProperty({ enum: ['auto-unseal', 'custody'] })
  mode: 'auto-unseal' | 'custody';

  @ApiProperty({ type: Boolean })
  sealed: boolean;

  @ApiProperty({ type: 'integer', nullable: true })
  threshold: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  shares: number | null;

  @ApiProperty({ type: Number })
  received: number;

  @ApiProperty({ type: String, nullable: true, description: 'Short id of the share set (changes at each rekey)' })
  setId: string | null;
}

export class CustodyCollectAnswerDto {
  @ApiProperty({ type: String })
  share: string;

  @ApiProperty({ type: String, description: 'Short id of the share set (changes at each rekey)' })
  setId: string;

  @ApiProperty({ type: 'integer' })
  threshold: number;

  @ApiProperty({ type: 'integer' })
  shares: number;
}

export class MyShareStatusDto {
  @ApiProperty({ enum: ['auto-unseal', 'custody'] })
  mode: 'auto-unseal' | 'custody';

  @ApiProperty({ type: Boolean })
  holder: boolean;

  @ApiProperty({ type: Boolean })
  waiting: boolean;

  @ApiProperty({ type: 'integer', nullable: true })
  threshold: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  shares: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Short id of the share set (changes at each rekey)' })
  setId: string | null;
}
