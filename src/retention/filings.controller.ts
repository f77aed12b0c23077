import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { CreateFilingDto, UpdateFilingDto } from './dto/filing.dto';
import { FilingsService } from './filings.service';
import { FilingsRecordAnswerDto, FilingsListAnswerDto } from '@/retention/dto/retention.responses';

@ApiTags('retention')
@Controller('subjects/:id/filings')
export class FilingsController {
  constructor(private readonly filings: FilingsService) {}

  @Post()
  @Auth('clerk')
  @ApiOperation({ summary: 'Record a filing that used the number (its retention rule keeps the number); recomputes the disposal due date' })
  @ApiCreatedResponse({ type: FilingsRecordAnswerDto })
  record(@Param('id', ParseUUIDPipe) id: string, @Body() dto: CreateFilingDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.filings.record(id, dto, staff, request);
  }

  @Get()
  @Auth('clerk', 'admin')
  @ApiOperation({ summary: 'Filings of a person and their disposal due date' })
  @ApiOkResponse({ type: FilingsListAnswerDto })
  list(@Param('id', ParseUUIDPipe) id: string) {
    return this.filings.list(id);
  }

  @Patch(':filingId')
  @Auth('clerk')
  @ApiOperation({ summary: "Set (or clear) the day a filing's matter closed (完結の日); recomputes the due date" })
  @ApiOkResponse({ type: FilingsRecordAnswerDto })
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('filingId', ParseUUIDPipe) filingId: string,
    @Body() dto: UpdateFilingDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ) {
    return this.filings.update(id, filingId, dto, staff, request);
  }
}
