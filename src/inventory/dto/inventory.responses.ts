import { ApiProperty } from '@nestjs/swagger';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class InventoryOtherFilesAnswerItemsItemPurposesItemDto {
  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  label: string;
}

export class InventoryOtherFilesAnswerItemsItemDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ enum: ['electronic', 'paper'] })
  medium: 'electronic' | 'paper';

  @ApiProperty({ type: () => InventoryOtherFilesAnswerItemsItemPurposesItemDto, isArray: true })
  purposes: InventoryOtherFilesAnswerItemsItemPurposesItemDto[];

  @ApiProperty({ type: String })
  items: string;

  @ApiProperty({ type: String })
  department: string;

  @ApiProperty({ type: String })
  location: string;

  @ApiProperty({ type: String })
  access: string;

  @ApiProperty({ type: String })
  retention: string;

  @ApiProperty({ type: String, nullable: true })
  disposalMethod: string | null;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ enum: ['active', 'retired'] })
  status: 'active' | 'retired';

  @ApiProperty({ type: String })
  createdBy: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;
}

export class InventoryOtherFilesAnswerDto {
  @ApiProperty({ type: () => InventoryOtherFilesAnswerItemsItemDto, isArray: true })
  items: InventoryOtherFilesAnswerItemsItemDto[];
}
