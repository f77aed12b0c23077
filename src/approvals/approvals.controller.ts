import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { ApprovalsService } from './approvals.service';
import { DecisionDto, ListApprovalsQuery, SetPolicyDto } from './dto/approval.dto';
import { PolicyViewDto, ApprovalsListAnswerDto, ApprovalsListAnswerRequestsItemDto, ApprovalsApproveAnswerDto } from '@/approvals/dto/approvals.responses';
import { StaffAccountDto } from '@/users/dto/user.dto';

/** 事務取扱責任者: the four-eyes policy and the approvals inbox. */
@ApiTags('approvals')
@Controller('approvals')
export class ApprovalsController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Get('policy')
  @Auth('responsible', 'admin', 'auditor')
  @ApiOperation({ summary: 'The four-eyes policy: required, waived (with its reason) or not-set' })
  @ApiOkResponse({ type: PolicyViewDto })
  policy() {
    return this.approvals.policy();
  }

  @Put('policy')
  @Auth('responsible')
  @ApiOperation({ summary: 'Require four eyes, or waive them with a reason (a company too small for two people; flagged to auditors)' })
  @ApiOkResponse({ type: PolicyViewDto })
  setPolicy(@Body() dto: SetPolicyDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.approvals.setPolicy(dto, staff, request);
  }

  @Get()
  @Auth('responsible', 'admin', 'auditor')
  @ApiOperation({ summary: 'Requests (default: pending) and accounts whose roles wait for approval' })
  @ApiOkResponse({ type: ApprovalsListAnswerDto })
  list(@Query() query: ListApprovalsQuery) {
    return this.approvals.list(query.status);
  }

  @Get(':id')
  @Auth('responsible', 'admin', 'auditor')
  @ApiOkResponse({ type: ApprovalsListAnswerRequestsItemDto })
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.approvals.get(id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Auth('responsible')
  @ApiOperation({ summary: 'Approve a request and carry it out (403 approval.same-person when the requester tries, unless waived)' })
  @ApiOkResponse({ type: ApprovalsApproveAnswerDto })
  approve(@Param('id', ParseUUIDPipe) id: string, @Body() dto: DecisionDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.approvals.approve(id, staff, dto.note, request);
  }

  @Post(':id/decline')
  @HttpCode(200)
  @Auth('responsible')
  @ApiOperation({ summary: 'Decline a request; nothing is carried out' })
  @ApiOkResponse({ type: ApprovalsListAnswerRequestsItemDto })
  decline(@Param('id', ParseUUIDPipe) id: string, @Body() dto: DecisionDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.approvals.decline(id, staff, dto.note, request);
  }

  @Post('accounts/:userId/approve')
  @HttpCode(200)
  @Auth('responsible')
  @ApiOperation({ summary: 'Grant the roles an account waits for (a new clerk); not by whoever asked for them' })
  @ApiOkResponse({ type: StaffAccountDto })
  approveAccount(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() dto: DecisionDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ) {
    return this.approvals.decideAccount(userId, 'approve', staff, dto.note, request);
  }

  @Post('accounts/:userId/decline')
  @HttpCode(200)
  @Auth('responsible')
  @ApiOperation({ summary: 'Decline the roles an account waits for' })
  @ApiOkResponse({ type: StaffAccountDto })
  declineAccount(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() dto: DecisionDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ) {
    return this.approvals.decideAccount(userId, 'decline', staff, dto.note, request);
  }
}
