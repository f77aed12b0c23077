import { BadRequestException, Body, Controller, Get, Header, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags, ApiCreatedResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { streamReply } from '@/common/http/streamed-reply';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { AuditAlertsService } from './audit-alerts.service';
import { AuditReviewService } from './audit-review.service';
import { AuditSearchService } from './audit-search.service';
import { AuditVerifyService } from './audit-verify.service';
import { AuditProofsService } from './audit-proofs.service';
import { AuditTreeStatusService } from './audit-tree-status.service';
import { parseTreeHead, TreeHead, verifyTreeHeadSignature } from './audit-tree-head';
import { publicKeyOfCertificate } from './audit-chain';
import { ConsistencyProofQuery, InclusionProofQuery, VerifyAuditDto } from './dto/audit-tree.dto';
import { AlertsQuery, CreateReviewDto, ExportAuditQuery, ListAuditEntriesQuery, ListReviewsQuery } from './dto/audit.dto';
import {
  AuditEntriesAnswerDto,
  AuditVerifyResultDto,
  TreeHeadJsonDto,
  WitnessOverviewDto,
  InclusionProofDto,
  ConsistencyProofDto,
  AuditReviewDto,
  AuditListReviewsAnswerDto,
  AuditAlertsAnswerDto,
} from '@/audit/dto/audit.responses';

const date = (value?: string): Date | undefined => (value ? new Date(value) : undefined);

/** The trail for auditors. Entries never hold a number, so nothing here can show one. */
@ApiTags('audit')
@Auth('auditor')
@Controller('audit')
export class AuditController {
  constructor(
    private readonly search: AuditSearchService,
    private readonly verifier: AuditVerifyService,
    private readonly reviews: AuditReviewService,
    private readonly alertsService: AuditAlertsService,
    private readonly proofs: AuditProofsService,
    private readonly treeStatus: AuditTreeStatusService,
  ) {}

  @Get('entries')
  @ApiOperation({ summary: 'Search the trail (keyset paging by sequence number)' })
  @ApiOkResponse({ type: AuditEntriesAnswerDto })
  entries(@Query() query: ListAuditEntriesQuery) {
    return this.search.entries({ ...query, from: date(query.from), to: date(query.to) });
  }

  @Get('export')
  @ApiOperation({ summary: 'Export as JSON Lines: anchor, entries with hashes, then signed checkpoints (audited as a take-out)' })
  @ApiOkResponse({
    description: 'JSON Lines: an anchor line, entries with hashes, then signed checkpoints and tree heads',
    content: { 'application/x-ndjson': { schema: { type: 'string' } } },
  })
  async export(
    @Query() query: ExportAuditQuery,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const range = { from: date(query.from), to: date(query.to) };
    const plan = await this.verifier.planExport(range.from, range.to);
    await this.verifier.recordExport(plan, range, staff, request);
    const body = streamReply(res, {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Disposition': `attachment; filename="audit-${Number(plan.anchorSeq) + 1}-${plan.toSeq}.ndjson"`,
    });
    for await (const chunk of this.verifier.exportChunks(plan)) {
      if (!(await body.write(chunk))) return; // client went away: stop reading the database
    }
    body.end();
  }

  @Get('certificate')
  @ApiOperation({ summary: 'The X.509 certificate (PEM) whose key signs the checkpoints' })
  @ApiOkResponse({ description: 'PEM certificate', content: { 'application/x-pem-file': { schema: { type: 'string' } } } })
  @Header('Content-Type', 'application/x-pem-file')
  @Header('Cache-Control', 'no-cache')
  certificate(): string {
    return this.verifier.certificatePem;
  }

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Recompute the whole chain and check every checkpoint signature (audited)' })
  @ApiOkResponse({
    type: AuditVerifyResultDto,
    description: '{ ok, entriesChecked, checkpointsChecked, lastSeq, treeSize, rootHash, treeHeadsChecked, witnessedHead, firstBadSeq?, reason? }',
  })
  // the body is optional: without a head the trail is compared with the witnesses' newest
  @ApiBody({ type: VerifyAuditDto, required: false })
  verify(@Body() body: VerifyAuditDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    let given: TreeHead | undefined;
    if (body?.head) {
      given = parseTreeHead(body.head);
      if (!verifyTreeHeadSignature(given, publicKeyOfCertificate(this.verifier.certificatePem))) {
        throw new BadRequestException({
          code: 'audit.head-signature-invalid',
          message: 'the tree head you gave does not verify with the audit certificate (GET /audit/certificate); give it exactly as the witness holds it',
        });
      }
    }
    return this.verifier.verifyAndRecord(staff, request, given);
  }

  @Get('tree-heads/latest')
  @ApiOperation({ summary: 'The newest signed tree head (RFC 9162 Merkle tree over the trail)' })
  @ApiOkResponse({ type: TreeHeadJsonDto })
  latestTreeHead() {
    return this.treeStatus.latestHead();
  }

  @Get('witnesses')
  @ApiOperation({ summary: 'Witness status: the newest witnessed head, its age, and each witness’s last acceptance' })
  @ApiOkResponse({ type: WitnessOverviewDto })
  witnesses() {
    return this.treeStatus.status();
  }

  @Get('proofs/inclusion')
  @ApiOperation({ summary: 'RFC 9162 inclusion proof of one entry in a signed tree head' })
  @ApiOkResponse({ type: InclusionProofDto })
  inclusion(@Query() query: InclusionProofQuery) {
    return this.proofs.inclusion(query.seq, query.treeSize);
  }

  @Get('proofs/consistency')
  @ApiOperation({ summary: 'RFC 9162 consistency proof between a tree size you hold and a signed tree head' })
  @ApiOkResponse({ type: ConsistencyProofDto })
  consistency(@Query() query: ConsistencyProofQuery) {
    return this.proofs.consistency(query.from, query.to);
  }

  @Post('reviews')
  @ApiOperation({ summary: 'Sign off a review of the trail up to an entry (audited)' })
  @ApiCreatedResponse({ type: AuditReviewDto })
  createReview(@Body() body: CreateReviewDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.reviews.sign(staff, body, request);
  }

  @Get('reviews')
  @ApiOperation({ summary: 'Review sign-offs, newest first' })
  @ApiOkResponse({ type: AuditListReviewsAnswerDto })
  listReviews(@Query() query: ListReviewsQuery) {
    return this.reviews.list(query.cursor, query.limit);
  }

  @Get('alerts')
  @ApiOperation({ summary: 'Unusual use (thresholds in config/alerts.json)' })
  @ApiOkResponse({ type: AuditAlertsAnswerDto })
  alerts(@Query() query: AlertsQuery) {
    return this.alertsService.alerts({ from: date(query.from), to: date(query.to) });
  }
}
