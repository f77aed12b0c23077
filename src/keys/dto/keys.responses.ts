import { ApiProperty } from '@nestjs/swagger';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class PendingRetirementViewDto {
  @ApiProperty({ type: String, format: 'uuid' })
  approvalId: string;

  @ApiProperty({ type: String })
  requestedBy: string;

  @ApiProperty({ type: String, format: 'date-time' })
  requestedAt: string;

  @ApiProperty({ enum: ['admin', 'responsible'] })
  confirmBy: 'admin' | 'responsible';
}

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

  @ApiProperty({ type: () => PendingRetirementViewDto, nullable: true })
  pendingRetirement: PendingRetirementViewDto | null;
}

/** 202: the retirement waits for its second person. */
export class PendingRetirementDto extends PendingRetirementViewDto {
  @ApiProperty({ enum: ['pending-approval'] })
  status: 'pending-approval';

  @ApiProperty({ enum: ['key-retirement'] })
  kind: 'key-retirement';

  @ApiProperty({ type: 'integer' })
  version: number;
}
