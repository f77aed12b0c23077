import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { CollectionRequestsService } from './collection-requests.service';
import { CollectionReviewService } from './collection-review.service';
import { CreateRequestsDto, ListRequestsQuery, ListSubmissionsQuery, ReissueRequestDto, ReturnSubmissionDto } from './dto/collection.dto';
import {
  CollectionCreateAnswerDto,
  CollectionListAnswerDto,
  IssuedLinkDto,
  RequestViewDto,
  CollectionSubmissionsAnswerDto,
  CollectionRevealAnswerDto,
  CollectionApproveAnswerDto,
  CollectionSendBackAnswerDto,
} from '@/collection/dto/collection.responses';

/** The clerk's side of collection: links, and review of what came back. */
@ApiTags('collection')
@Controller('collection')
export class CollectionController {
  constructor(
    private readonly requests: CollectionRequestsService,
    private readonly review: CollectionReviewService,
  ) {}

  @Post('requests')
  @Auth('clerk')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Create links for the people listed (or every employee without a number); each link is shown once' })
  @ApiCreatedResponse({ type: CollectionCreateAnswerDto })
  create(@Body() dto: CreateRequestsDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.requests.create(dto, staff, request);
  }

  @Get('requests')
  @Auth('clerk')
  @ApiOperation({ summary: 'Collection requests, newest first (no tokens)' })
  @ApiOkResponse({ type: CollectionListAnswerDto })
  list(@Query() query: ListRequestsQuery) {
    return this.requests.list(query);
  }

  @Post('requests/:id/reissue')
  @Auth('clerk')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'A new link for an open request; the old one stops working' })
  @ApiOkResponse({ type: IssuedLinkDto })
  reissue(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReissueRequestDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.requests.reissue(id, dto, staff, request);
  }

  @Post('requests/:id/cancel')
  @Auth('clerk')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel an open link' })
  @ApiOkResponse({ type: RequestViewDto })
  cancel(@Param('id', ParseUUIDPipe) id: string, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.requests.cancel(id, staff, request);
  }

  @Get('submissions')
  @Auth('clerk')
  @ApiOperation({ summary: 'Submissions (default: waiting for review), with flags; no digits' })
  @ApiOkResponse({ type: CollectionSubmissionsAnswerDto })
  submissions(@Query() query: ListSubmissionsQuery) {
    return this.review.list(query);
  }

  @Post('submissions/:id/reveal')
  @Auth('clerk')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The submitted numbers, to compare with the photos (audited, purpose identity-check)' })
  @ApiOkResponse({ type: CollectionRevealAnswerDto })
  reveal(@Param('id', ParseUUIDPipe) id: string, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.review.revealNumbers(id, staff, request);
  }

  @Get('submissions/:id/images/:imageId')
  @Auth('clerk')
  @ApiOkResponse({ description: 'The re-encoded photo (metadata dropped)', content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } } })
  @ApiOperation({ summary: 'One photo (audited, purpose identity-check)' })
  async image(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('imageId', ParseUUIDPipe) imageId: string,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const image = await this.review.viewImage(id, imageId, staff, request);
    await res.header('Cache-Control', 'no-store').type(image.contentType).send(image.bytes);
  }

  @Post('submissions/:id/approve')
  @Auth('clerk')
  @HttpCode(200)
  @ApiOperation({ summary: 'Store the submitted numbers with the identity check; photos are deleted (unless COLLECTION_KEEP_IMAGES)' })
  @ApiOkResponse({ type: CollectionApproveAnswerDto })
  approve(@Param('id', ParseUUIDPipe) id: string, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.review.approve(id, staff, request);
  }

  @Post('submissions/:id/return')
  @Auth('clerk')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send back with a reason: numbers and photos are deleted, the link opens again' })
  @ApiOkResponse({ type: CollectionSendBackAnswerDto })
  sendBack(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ReturnSubmissionDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.review.sendBack(id, dto, staff, request);
  }
}
