import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { CreateNumberRequestDto, CreateRelationshipDto, CreateSubjectDto, NotifyPurposesDto, UpdateRelationshipDto, UpdateSubjectDto } from './dto/subject.dto';
import { Subject } from './subject.entity';
import { SubjectsService } from './subjects.service';
import {
  SubjectDto,
  SubjectsNotifyAnswerDto,
  SubjectsRelationshipsAnswerDto,
  NumberRequestDto,
  SubjectsNumberRequestsAnswerDto,
  SubjectRelationshipDto,
} from '@/subjects/dto/subjects.responses';

@ApiTags('subjects')
@Controller('subjects')
export class SubjectsController {
  constructor(private readonly subjects: SubjectsService) {}

  @Post()
  @Auth('clerk')
  @ApiOperation({ summary: 'Register an employee, dependent or payee' })
  @ApiCreatedResponse({ type: SubjectDto })
  create(@Body() dto: CreateSubjectDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<Subject> {
    return this.subjects.create(dto, staff, request);
  }

  @Patch(':id')
  @Auth('clerk')
  @ApiOperation({ summary: 'Change names, hire or leave date (a leave date moves the disposal due date)' })
  @ApiOkResponse({ type: SubjectDto })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateSubjectDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.subjects.update(id, dto, staff, request);
  }

  @Put(':id/purposes')
  @Auth('clerk')
  @ApiOperation({ summary: 'Record the purposes this person was told of (replaces the previous notice)' })
  @ApiOkResponse({ type: SubjectsNotifyAnswerDto })
  async notify(@Param('id', ParseUUIDPipe) id: string, @Body() dto: NotifyPurposesDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    const purposes = await this.subjects.notifyPurposes(id, dto, staff, request);
    return { subjectId: id, purposes: purposes.map((p) => ({ purpose: p.purpose, notifiedAt: p.notifiedAt, relationshipId: p.relationshipId })) };
  }

  @Get(':id/purposes')
  @Auth('clerk')
  @ApiOperation({ summary: 'Purposes this person was told of, each with the relationship it was notified for' })
  @ApiOkResponse({ type: SubjectsNotifyAnswerDto })
  async purposes(@Param('id', ParseUUIDPipe) id: string) {
    const purposes = await this.subjects.notifiedPurposes(id);
    return { subjectId: id, purposes: purposes.map((p) => ({ purpose: p.purpose, notifiedAt: p.notifiedAt, relationshipId: p.relationshipId })) };
  }

  @Get(':id/relationships')
  @Auth('clerk', 'admin')
  @ApiOperation({ summary: 'Every relationship this person holds (employee, 配偶者・扶養親族 of an employee, payee), primary first' })
  @ApiOkResponse({ type: SubjectsRelationshipsAnswerDto })
  async relationships(@Param('id', ParseUUIDPipe) id: string) {
    await this.subjects.get(id);
    return { subjectId: id, items: await this.subjects.relationshipsOf(id) };
  }

  @Post(':id/relationships')
  @Auth('clerk')
  @ApiOperation({ summary: 'Add a relationship to this person (a spouse on the staff, a director who rents the office); the number stays one' })
  @ApiCreatedResponse({ type: SubjectRelationshipDto })
  addRelationship(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: CreateRelationshipDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ) {
    return this.subjects.addRelationship(id, dto, staff, request);
  }

  @Patch(':id/relationships/:relationshipId')
  @Auth('clerk')
  @ApiOperation({ summary: 'End (endedAt) or resume (null) one relationship; the due date is the latest over all of them' })
  @ApiOkResponse({ type: SubjectRelationshipDto })
  updateRelationship(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('relationshipId', ParseUUIDPipe) relationshipId: string,
    @Body() dto: UpdateRelationshipDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ) {
    return this.subjects.updateRelationship(id, relationshipId, dto, staff, request);
  }

  @Post(':id/number-requests')
  @Auth('clerk')
  @ApiOperation({ summary: '未提供: record a request for the number (date, means, answer); the year-end list shows the person as not provided' })
  @ApiCreatedResponse({ type: NumberRequestDto })
  recordNumberRequest(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: CreateNumberRequestDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ) {
    return this.subjects.recordNumberRequest(id, dto, staff, request);
  }

  @Get(':id/number-requests')
  @Auth('clerk')
  @ApiOkResponse({ type: SubjectsNumberRequestsAnswerDto })
  async numberRequests(@Param('id', ParseUUIDPipe) id: string) {
    return { subjectId: id, items: await this.subjects.numberRequests(id) };
  }
}
