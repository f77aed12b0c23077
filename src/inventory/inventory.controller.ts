import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { OtherFileDto, UpdateOtherFileDto } from './dto/inventory.dto';
import { inventoryHtml } from './inventory-html';
import { InventoryService } from './inventory.service';
import { InventoryOtherFilesAnswerDto, InventoryOtherFilesAnswerItemsItemDto } from '@/inventory/dto/inventory.responses';

/** 特定個人情報ファイル管理台帳: generated from the vault's data, plus the files kept outside it. */
@ApiTags('inventory')
@Controller('inventory')
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Get()
  @Auth('admin', 'responsible', 'auditor')
  @ApiOperation({ summary: 'The file inventory (台帳): files holding numbers, purposes, who may access, retention, disposals, location; ?format=html prints' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'html'] })
  @ApiOkResponse({
    description: 'The inventory as JSON, or a printable page with ?format=html',
    content: { 'application/json': { schema: { type: 'object', additionalProperties: true } }, 'text/html': { schema: { type: 'string' } } },
  })
  async get(@Query('format') format: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const inv = await this.inventory.inventory();
    if (format !== 'html') return inv;
    void reply.header('content-type', 'text/html; charset=utf-8');
    return inventoryHtml(inv);
  }

  @Get('other-files')
  @Auth('admin', 'responsible', 'auditor')
  @ApiQuery({ name: 'includeRetired', required: false })
  @ApiOkResponse({ type: InventoryOtherFilesAnswerDto })
  otherFiles(@Query('includeRetired') includeRetired?: string) {
    return this.inventory.listOtherFiles(includeRetired === 'true');
  }

  @Post('other-files')
  @Auth('admin', 'responsible')
  @ApiOperation({ summary: 'Record a file kept outside the vault (paper, another system)' })
  @ApiCreatedResponse({ type: InventoryOtherFilesAnswerItemsItemDto })
  addOtherFile(@Body() dto: OtherFileDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.inventory.addOtherFile(dto, staff, request);
  }

  @Patch('other-files/:id')
  @Auth('admin', 'responsible')
  @ApiOperation({ summary: 'Change a file kept outside the vault, or retire it (status retired)' })
  @ApiOkResponse({ type: InventoryOtherFilesAnswerItemsItemDto })
  updateOtherFile(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateOtherFileDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ) {
    return this.inventory.updateOtherFile(id, dto, staff, request);
  }
}
