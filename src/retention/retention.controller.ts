import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiAcceptedResponse, ApiOperation, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { AlarmsService } from './alarms.service';
import { DisposalService } from './disposal.service';
import { DisposeAllDto, DisposeDto, ListAlarmsQuery, ListDisposalsQuery, PostponeDto } from './dto/alarm.dto';
import { DisposalQueueService } from './queue/disposal-queue.service';
import {
  RetentionListAnswerDto,
  AlarmViewDto,
  RetentionQueueStatusAnswerDto,
  RetentionDisposalRecordsAnswerDto,
  BatchDisposalResultDto,
  DisposalRecordDto,
  PendingDisposalDto,
  RaiseDueResultDto,
} from '@/retention/dto/retention.responses';

/** The admins' inbox: disposal alarms, disposal, postponement, disposal records. */
@ApiTags('retention')
@Controller('retention')
@Auth('admin')
export class RetentionController {
  constructor(
    private readonly alarms: AlarmsService,
    private readonly disposals: DisposalService,
    private readonly queue: DisposalQueueService,
  ) {}

  @Get('alarms')
  @ApiOperation({ summary: 'Disposal alarms (default: open) with the person, due date and rule' })
  @ApiOkResponse({ type: RetentionListAnswerDto })
  list(@Query() query: ListAlarmsQuery) {
    return this.alarms.list(query);
  }

  @Post('alarms/dispose-all')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Dispose of the open alarms listed in alarmIds (what the admin was shown; year-end practice); one transaction per person, refusals listed in skipped; people with no recorded filing only when confirmedWithoutFilings names them; without alarmIds 400 disposal.alarm-ids-required; 202 while it waits for four-eyes approval',
  })
  @ApiOkResponse({ type: BatchDisposalResultDto, description: 'Disposed, with the refusals listed' })
  @ApiAcceptedResponse({ type: PendingDisposalDto, description: 'Waits for four-eyes approval' })
  async disposeAll(
    @Body() dto: DisposeAllDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const result = await this.disposals.requestDisposeAll(dto, staff, request);
    if ('status' in result) res.status(202);
    return result;
  }

  @Get('alarms/:id')
  @ApiOkResponse({ type: AlarmViewDto })
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.alarms.get(id);
  }

  @Post('alarms/:id/dispose')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Dispose of the number (crypto-erase) and write the disposal record; 409 when not due; 202 while it waits for four-eyes approval (POST /approvals/:id/approve)',
  })
  @ApiOkResponse({ type: DisposalRecordDto, description: 'Disposed: the disposal record' })
  @ApiAcceptedResponse({ type: PendingDisposalDto, description: 'Waits for four-eyes approval' })
  async dispose(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: DisposeDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const result = await this.disposals.requestDisposal(id, dto, staff, request);
    if ('status' in result) res.status(202);
    return result;
  }

  @Post('alarms/:id/postpone')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hide the alarm until a date, with a reason (pending filing, legal hold); the sweep reopens it then' })
  @ApiOkResponse({ type: AlarmViewDto })
  postpone(@Param('id', ParseUUIDPipe) id: string, @Body() dto: PostponeDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.alarms.postpone(id, dto, staff, request);
  }

  @Post('sweep')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the sweep now (raises every alarm that is due; normally daily and on start-up)' })
  @ApiOkResponse({ type: RaiseDueResultDto, description: 'What the sweep raised' })
  sweep() {
    return this.alarms.sweep('manual', { wait: true });
  }

  @Get('queue')
  @ApiOperation({ summary: 'State of the disposal-alarm queue: Redis connection, job counts, next repeatable sweep' })
  @ApiOkResponse({ type: RetentionQueueStatusAnswerDto })
  queueStatus() {
    return this.queue.status();
  }

  @Get('disposals')
  @ApiOperation({ summary: 'Disposal records (削除・廃棄記録); they hold no number' })
  @ApiOkResponse({ type: RetentionDisposalRecordsAnswerDto })
  disposalRecords(@Query() query: ListDisposalsQuery) {
    return this.disposals.list(query);
  }
}
