import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';
import { ReportPdfService } from './report-pdf.service';

/** 取扱状況の確認 (issue #19): the monthly handling report and its sign-off. */
@Module({
  controllers: [ReportsController],
  providers: [ReportsRepository, ReportsService, ReportPdfService],
})
export class ReportsModule {}
