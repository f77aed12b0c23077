import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import { Auth } from '@/common/auth/auth.decorators';
import { ListSubjectsQuery } from '@/subjects/dto/subject.dto';
import { SubjectsService } from '@/subjects/subjects.service';
import { NumbersService } from './numbers.service';
import { SubjectViewsListAnswerDto, SubjectViewsGetAnswerDto } from '@/numbers/dto/numbers.responses';

/**
 * The people reads that show each person's masked number status. They live here, not in the
 * subjects module, so the dependency runs one way: numbers → subjects.
 */
@ApiTags('subjects')
@Controller('subjects')
export class SubjectViewsController {
  constructor(
    private readonly subjects: SubjectsService,
    private readonly numbers: NumbersService,
  ) {}

  @Get()
  @Auth('clerk')
  @ApiOperation({ summary: 'Page of people with their masked number status' })
  @ApiOkResponse({ type: SubjectViewsListAnswerDto })
  async list(@Query() query: ListSubjectsQuery) {
    const page = await this.subjects.list(query);
    const statuses = await this.numbers.statuses(page.items.map((s) => s.id));
    return { items: page.items.map((s) => ({ ...s, number: statuses.get(s.id) })), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Auth('clerk')
  @ApiOkResponse({ type: SubjectViewsGetAnswerDto })
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const subject = await this.subjects.get(id);
    const purposes = await this.subjects.notifiedPurposes(id);
    const relationships = await this.subjects.relationshipsOf(id);
    return { ...subject, purposes, relationships, number: await this.numbers.status(id) };
  }
}
