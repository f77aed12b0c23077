import { Body, Controller, Get, Header, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOperation, ApiTags, ApiOkResponse, ApiCreatedResponse, ApiProduces } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { SignOffDto } from './dto/report.dto';
import { ReportsService } from './reports.service';
import { ReportPdfService } from './report-pdf.service';
import { MonthlyReportDto, SignoffRowDto } from '@/reports/dto/reports.responses';

/** 取扱状況の確認 (issue #19): the monthly handling report, for the responsible person, auditors and admins. */
@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly pdf: ReportPdfService,
  ) {}

  // before monthly/:month, whose parameter would otherwise take "2026-10.pdf"
  @Get('monthly/:month.pdf')
  @Auth('responsible', 'auditor', 'admin')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: "The month's report as an A4 PDF with its charts, printed on the server by Chromium (CHROMIUM_PATH); 503 report.pdf-unavailable without it",
  })
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'PDF (A4)', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } })
  async monthlyPdf(@Param('month') month: string, @Res() res: FastifyReply): Promise<void> {
    const pdf = await this.pdf.monthlyPdf(month);
    await res
      .status(200)
      .header('Content-Type', 'application/pdf')
      .header('Content-Disposition', `attachment; filename="monthly-report-${month}.pdf"`)
      .send(pdf);
  }

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
