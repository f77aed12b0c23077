import { Body, Controller, DefaultValuePipe, Get, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiQuery, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { BreachesService } from './breaches.service';
import { AddAffectedDto, OpenBreachDto, RecordBreachReportDto, UpdateBreachDto } from './dto/breach.dto';
import {
  BreachViewDto,
  BreachesAddAffectedAnswerDto,
  BreachesAffectedAnswerDto,
  BreachesAlarmsAnswerDto,
  BreachesListAnswerDto,
  BreachesSweepAnswerDto,
  PrintableDocumentDto,
} from '@/breaches/dto/breaches.responses';

function statusOf(value: string | undefined): 'open' | 'closed' | undefined {
  return value === 'open' || value === 'closed' ? value : undefined;
}

/** 漏えい等報告 (番号法29条の4): the breach register. */
@ApiTags('breaches')
@ApiExtraModels(PrintableDocumentDto)
@Controller('breaches')
export class BreachesController {
  constructor(private readonly breaches: BreachesService) {}

  @Post()
  @Auth('admin', 'responsible')
  @ApiOperation({ summary: 'Open an incident (what happened, when it was found); answers the duty and the 速報/確報 deadlines' })
  @ApiCreatedResponse({ type: BreachViewDto })
  open(@Body() dto: OpenBreachDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.breaches.open(dto, staff, request);
  }

  @Get()
  @Auth('admin', 'responsible', 'auditor')
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'closed'] })
  @ApiOkResponse({ type: BreachesListAnswerDto })
  list(@Query('status') status?: string) {
    return this.breaches.list(statusOf(status));
  }

  @Get('alarms')
  @Auth('admin', 'responsible', 'auditor')
  @ApiOperation({ summary: 'Breach-report deadline alarms (open or resolved)' })
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'resolved'] })
  @ApiOkResponse({ type: BreachesAlarmsAnswerDto })
  alarms(@Query('status') status?: string) {
    return this.breaches.alarms(status === 'open' || status === 'resolved' ? status : null);
  }

  @Post('sweep')
  @HttpCode(200)
  @Auth('admin')
  @ApiOperation({ summary: 'Raise every breach alarm that is due now (the queue does it on time; this is the manual fallback)' })
  @ApiOkResponse({ type: BreachesSweepAnswerDto })
  sweep() {
    return this.breaches.sweep('manual');
  }

  @Get(':id')
  @Auth('admin', 'responsible', 'auditor')
  @ApiOkResponse({ type: BreachViewDto })
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.breaches.get(id);
  }

  @Patch(':id')
  @Auth('admin', 'responsible')
  @ApiOperation({ summary: 'Change the facts, the report items, or close/reopen (closing needs the 確報 where the duty applies)' })
  @ApiOkResponse({ type: BreachViewDto })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateBreachDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.breaches.update(id, dto, staff, request);
  }

  @Post(':id/affected')
  @HttpCode(200)
  @Auth('admin', 'responsible')
  @ApiOperation({ summary: 'Add the people affected: from the trail (numbers shown in a time range, optionally by one account), listed, or everyone on file' })
  @ApiOkResponse({ type: BreachesAddAffectedAnswerDto })
  addAffected(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AddAffectedDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.breaches.addAffected(id, dto, staff, request);
  }

  @Get(':id/affected')
  @Auth('admin', 'responsible', 'auditor')
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'after', required: false, description: 'cursor: the last code of the previous page' })
  @ApiOkResponse({ type: BreachesAffectedAnswerDto })
  affected(@Param('id', ParseUUIDPipe) id: string, @Query('limit', new DefaultValuePipe(500), ParseIntPipe) limit: number, @Query('after') after?: string) {
    return this.breaches.affected(id, Math.min(Math.max(limit, 1), 1000), after ?? null);
  }

  @Post(':id/reports')
  @Auth('admin', 'responsible')
  @ApiOperation({ summary: 'Record a report sent: 速報 (preliminary), 確報 (final) to the PPC, or the notice to the people affected' })
  @ApiCreatedResponse({ type: BreachViewDto })
  recordReport(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: RecordBreachReportDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ) {
    return this.breaches.recordReport(id, dto, staff, request);
  }

  @Get(':id/report')
  @Auth('admin', 'responsible', 'auditor')
  @ApiOperation({ summary: "The report's items in the PPC form's order (JSON, or text with ?format=text to copy into the online form)" })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'text'] })
  @ApiOkResponse({
    description: 'The document as JSON, or as plain text with ?format=text',
    content: { 'application/json': { schema: { $ref: getSchemaPath(PrintableDocumentDto) } }, 'text/plain': { schema: { type: 'string' } } },
  })
  report(@Param('id', ParseUUIDPipe) id: string, @Query('format') format: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.printable(id, 'report', format, reply);
  }

  @Get(':id/notice')
  @Auth('admin', 'responsible', 'auditor')
  @ApiOperation({ summary: 'The notice to the people affected (本人への通知), JSON or text' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'text'] })
  @ApiOkResponse({
    description: 'The document as JSON, or as plain text with ?format=text',
    content: { 'application/json': { schema: { $ref: getSchemaPath(PrintableDocumentDto) } }, 'text/plain': { schema: { type: 'string' } } },
  })
  notice(@Param('id', ParseUUIDPipe) id: string, @Query('format') format: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.printable(id, 'notice', format, reply);
  }

  private async printable(id: string, which: 'report' | 'notice', format: string | undefined, reply: FastifyReply) {
    const doc = await this.breaches.printable(id, which);
    if (format !== 'text') return doc;
    void reply.header('content-type', 'text/plain; charset=utf-8');
    return [doc.title, `根拠: ${doc.basis}`, '', ...doc.items.flatMap((item, i) => [`${i + 1}. ${item.label}`, item.value, ''])].join('\n');
  }
}
