import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Patch, Post, Put, Query, forwardRef } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { NumbersService } from '@/numbers/numbers.service';
import { CreateSubjectDto, ListSubjectsQuery, NotifyPurposesDto, UpdateSubjectDto } from './dto/subject.dto';
import { Subject } from './subject.entity';
import { SubjectsService } from './subjects.service';

@ApiTags('subjects')
@Controller('subjects')
export class SubjectsController {
  constructor(
    private readonly subjects: SubjectsService,
    // the masked number status is the numbers module's to tell
    @Inject(forwardRef(() => NumbersService)) private readonly numbers: NumbersService,
  ) {}

  @Post()
  @Auth('clerk')
  @ApiOperation({ summary: 'Register an employee, dependent or payee' })
  create(@Body() dto: CreateSubjectDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<Subject> {
    return this.subjects.create(dto, staff, request);
  }

  @Get()
  @Auth('clerk')
  @ApiOperation({ summary: 'Page of people with their masked number status' })
  async list(@Query() query: ListSubjectsQuery) {
    const page = await this.subjects.list(query);
    const statuses = await this.numbers.statuses(page.items.map((s) => s.id));
    return { items: page.items.map((s) => ({ ...s, number: statuses.get(s.id) })), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Auth('clerk')
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const subject = await this.subjects.get(id);
    const purposes = await this.subjects.notifiedPurposes(id);
    return { ...subject, purposes, number: await this.numbers.status(id) };
  }

  @Patch(':id')
  @Auth('clerk')
  @ApiOperation({ summary: 'Change names, hire or leave date (a leave date moves the disposal due date)' })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateSubjectDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.subjects.update(id, dto, staff, request);
  }

  @Put(':id/purposes')
  @Auth('clerk')
  @ApiOperation({ summary: 'Record the purposes this person was told of (replaces the previous notice)' })
  async notify(@Param('id', ParseUUIDPipe) id: string, @Body() dto: NotifyPurposesDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    const purposes = await this.subjects.notifyPurposes(id, dto, staff, request);
    return { subjectId: id, purposes: purposes.map((p) => ({ purpose: p.purpose, notifiedAt: p.notifiedAt })) };
  }

  @Get(':id/purposes')
  @Auth('clerk')
  async purposes(@Param('id', ParseUUIDPipe) id: string) {
    const purposes = await this.subjects.notifiedPurposes(id);
    return { subjectId: id, purposes: purposes.map((p) => ({ purpose: p.purpose, notifiedAt: p.notifiedAt })) };
  }
}
