import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiOkResponse, ApiCreatedResponse } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { SignOffDto } from './dto/report.dto';
import { ReportsService } from './reports.service';
import { MonthlyReportDto, SignoffRowDto } from '@/reports/dto/reports.responses';

/** 取扱状況の確認 (issue #19): the monthly handling report, for the responsible person, auditors and admins. */
@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('monthly/:month')
  @Auth('responsible', 'auditor', 'admin')
  @ApiOperation({ summary: 'The handling report of a month in Japan time (YYYY-MM): counts from the trail, never a number' })
  @ApiOkResponse({ type: MonthlyReportDto })
  monthly(@Param('month') month: string) {
    return this.reports.monthly(month);
  }

  @Post('monthly/:month/sign-off')
  @HttpCode(201)
  @Auth('responsible')
  @ApiOperation({ summary: 'The responsible person signs off an ended month once, with a comment (audited as report.signed-off)' })
  @ApiCreatedResponse({ type: SignoffRowDto })
  signOff(@Param('month') month: string, @Body() body: SignOffDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.reports.signOff(month, body.comment, staff, request);
  }
}
