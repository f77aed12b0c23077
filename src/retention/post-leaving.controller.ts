import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiOkResponse, ApiCreatedResponse } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import {
  CloseReviewDto,
  ConfirmReviewDto,
  DecideEarlyDisposalDto,
  ListEarlyDisposalsQuery,
  ListReviewsQuery,
  RequestEarlyDisposalDto,
  SetLeaveDateDto,
} from './dto/post-leaving.dto';
import { EarlyDisposalService } from './early-disposal.service';
import { OpenMattersService } from './open-matters.service';
import {
  RetentionExplanationDto,
  EarlyDisposalDto,
  PostLeavingListEarlyAnswerDto,
  PostLeavingOpenMattersAnswerDto,
  PostLeavingReviewsAnswerDto,
  MatterReviewDto,
  PostLeavingPeopleAnswerDto,
  PostLeavingSetLeaveAnswerDto,
} from '@/retention/dto/retention.responses';
import { SubjectsService } from '@/subjects/subjects.service';
import { ListSubjectsQuery } from '@/subjects/dto/subject.dto';

/** After leaving (issue #14): each person's computed due date and why, early disposal, open matters and their reviews. */
@ApiTags('retention')
@Controller()
export class PostLeavingController {
  constructor(
    private readonly early: EarlyDisposalService,
    private readonly matters: OpenMattersService,
    private readonly subjects: SubjectsService,
  ) {}

  @Get('retention/people')
  @Auth('admin')
  @ApiOperation({ summary: "Admins' read-only people list: leave dates and computed disposal dates (first day disposal is allowed); no numbers" })
  @ApiOkResponse({ type: PostLeavingPeopleAnswerDto })
  people(@Query() query: ListSubjectsQuery) {
    return this.matters.people(query);
  }

  @Get('subjects/:id/retention')
  @Auth('clerk', 'admin')
  @ApiOperation({ summary: "The person's computed disposal due date, the rule that set it and why, each relationship's end and floor" })
  @ApiOkResponse({ type: RetentionExplanationDto })
  explain(@Param('id', ParseUUIDPipe) id: string) {
    return this.matters.explain(id);
  }

  /**
   * The leave date, set by a clerk or an admin (HR usually records departures; docs/console.md),
   * answered with the disposal date it leads to (廃棄可能日) and the rule that set it, so the form
   * can say what the save did.
   */
  @Put('subjects/:id/leave')
  @Auth('clerk', 'admin')
  @ApiOperation({ summary: 'Set or clear the leave date (clerk or admin); answers the computed disposal date (first day disposal is allowed) and its rule' })
  @ApiOkResponse({ type: PostLeavingSetLeaveAnswerDto })
  async setLeave(@Param('id', ParseUUIDPipe) id: string, @Body() dto: SetLeaveDateDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    const subject = await this.subjects.update(id, { leftAt: dto.leftAt }, staff, request);
    return { subjectId: id, leftAt: subject.leftAt, retention: await this.matters.explain(id) };
  }

  @Post('subjects/:id/early-disposal')
  @Auth('clerk')
  @ApiOperation({ summary: 'Record that the filings that follow the departure are done; an admin approves early disposal (before the post-leaving floor)' })
  @ApiCreatedResponse({ type: EarlyDisposalDto })
  requestEarly(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: RequestEarlyDisposalDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ) {
    return this.early.request(id, dto, staff, request);
  }

  @Get('retention/early-disposals')
  @Auth('admin', 'responsible')
  @ApiOperation({ summary: 'Early disposals (default: pending) with the person; the responsible person approves them under four eyes' })
  @ApiOkResponse({ type: PostLeavingListEarlyAnswerDto })
  listEarly(@Query() query: ListEarlyDisposalsQuery) {
    return this.early.list(query);
  }

  @Post('retention/early-disposals/:id/approve')
  @HttpCode(200)
  @Auth('admin', 'responsible')
  @ApiOperation({ summary: 'Approve early disposal: the post-leaving floor no longer applies to that departure (recorded filings still do)' })
  @ApiOkResponse({ type: EarlyDisposalDto })
  approveEarly(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: DecideEarlyDisposalDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ) {
    return this.early.approve(id, dto, staff, request);
  }

  @Post('retention/early-disposals/:id/reject')
  @HttpCode(200)
  @Auth('admin', 'responsible')
  @ApiOkResponse({ type: EarlyDisposalDto })
  rejectEarly(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: DecideEarlyDisposalDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ) {
    return this.early.reject(id, dto, staff, request);
  }

  @Get('retention/open-matters')
  @Auth('admin')
  @ApiOperation({ summary: 'Leavers kept only because a matter is still open: who, which matter, since when, and the review' })
  @ApiOkResponse({ type: PostLeavingOpenMattersAnswerDto })
  openMatters() {
    return this.matters.report();
  }

  @Get('retention/reviews')
  @Auth('admin')
  @ApiOperation({ summary: '"Still needed?" reviews (default: open)' })
  @ApiOkResponse({ type: PostLeavingReviewsAnswerDto })
  reviews(@Query() query: ListReviewsQuery) {
    return this.matters.list(query);
  }

  @Post('retention/reviews/:id/confirm')
  @HttpCode(200)
  @Auth('admin')
  @ApiOperation({ summary: 'Still needed: confirm with a reason; the next review is due later (openMatterReview.repeatEveryMonths)' })
  @ApiOkResponse({ type: MatterReviewDto })
  confirm(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ConfirmReviewDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.matters.confirm(id, dto, staff, request);
  }

  @Post('retention/reviews/:id/close')
  @HttpCode(200)
  @Auth('admin')
  @ApiOperation({ summary: 'Not needed: close every open matter carrying this person on closedAt; the due date follows' })
  @ApiOkResponse({ type: MatterReviewDto })
  close(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CloseReviewDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.matters.close(id, dto, staff, request);
  }
}
