import {
  BadRequestException,
  Controller,
  Header,
  HttpCode,
  HttpException,
  Inject,
  PayloadTooLargeException,
  Post,
  Req,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ApiConsumes, ApiHeader, ApiOperation, ApiTags, ApiOkResponse, ApiCreatedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentRequest, Public } from '@/common/auth/auth.decorators';
import { RequestMeta } from '@/common/auth/staff';
import { ClockService } from '@/config/clock.service';
import { LegalDataService } from '@/config/legal-data.service';
import { SubjectsService } from '@/subjects/subjects.service';
import { ConfigService } from '@nestjs/config';
import { Env } from '@/config/env.schema';
import { CollectionNotice } from './collection-notice';
import { CollectionRateLimitService } from './collection-rate-limit.service';
import { CollectionRequestsService } from './collection-requests.service';
import { COLLECTION_NOTICE, CollectionSubmitService, RawPhoto } from './collection-submit.service';
import { hashLinkToken, isWellFormedToken } from './collection-token';
import { IMAGE_FIELD, SubmissionForm, submissionFormSchema } from './dto/submission-form';
import { tooLarge } from './image-processor';
import { CollectOpenAnswerDto, CollectSubmissionAnswerDto } from '@/collection/dto/collection.responses';

export const TOKEN_HEADER = 'x-collection-token';
/** At most: the card's two sides plus two more documents, and a little room. */
// The submitter's documents need at most 3 photos (card front and back, or a notification card and two
// documents without a photo); a little room over that. With `dependentPhotos` each of up to 10 dependents
// adds 3. Photos are held in memory until the form is checked, so this (× the size cap) bounds a request.
const SUBMITTER_PHOTOS = 6;
const PHOTOS_PER_DEPENDENT = 3;
const MAX_DEPENDENTS = 10;
const FORM_FIELD_BYTES = 64 * 1024;

/**
 * The submitter's side (no account): the link's token comes in the X-Collection-Token header
 * (the page reads it from the URL fragment, which never reaches a server log). Every request is
 * rate-limited per address and per link before anything is read.
 */
@ApiTags('collection (submitter)')
@Controller('collect')
export class CollectController {
  private readonly company: string;

  constructor(
    config: ConfigService<Env, true>,
    private readonly requests: CollectionRequestsService,
    private readonly submit: CollectionSubmitService,
    private readonly rateLimit: CollectionRateLimitService,
    private readonly subjects: SubjectsService,
    private readonly legal: LegalDataService,
    private readonly clock: ClockService,
    @Inject(COLLECTION_NOTICE) private readonly notice: CollectionNotice,
  ) {
    this.company = config.get('COLLECTION_COMPANY_NAME', { infer: true });
  }

  @Post('link')
  @Public()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiHeader({ name: TOKEN_HEADER, required: true, description: 'The token from the link (after #)' })
  @ApiOperation({ summary: "What the submitter's page shows for a link; 404/410 with a code when it is unknown, used, cancelled or expired" })
  @ApiOkResponse({ type: CollectOpenAnswerDto })
  async open(@Req() req: FastifyRequest, @CurrentRequest() request: RequestMeta) {
    const link = await this.checkedLink(req, request);
    await this.requests.markStarted(link, request);
    const person = await this.subjects.get(link.subjectId);
    const purpose = (code: string) => {
      const p = this.legal.purpose(code)!;
      return { code, label: p.label, labelEn: p.labelEn };
    };
    return {
      company: this.company,
      greetingName: person.name,
      expiresAt: link.expiresAt,
      returnReason: link.returnReason,
      notice: {
        version: this.notice.version,
        purposes: this.notice.purposes.map(purpose),
        dependentPurposes: this.notice.dependentPurposes.map(purpose),
        handlingSummary: this.notice.handlingSummary,
        handlingSummaryEn: this.notice.handlingSummaryEn,
      },
      identityDocuments: this.legal.identityDocuments.map((d) => ({
        code: d.code,
        label: d.label,
        numberProof: d.numberProof,
        identityProof: d.identityProof,
      })),
      notProvidedReasons: this.notice.notProvidedReasons,
      relationships: this.notice.relationships,
      dependentPhotos: this.notice.dependentPhotos,
      maxImageBytes: this.submit.imageLimits.maxBytes,
      now: this.clock.now(),
    };
  }

  @Post('submission')
  @Public()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @ApiHeader({ name: TOKEN_HEADER, required: true })
  @ApiConsumes('multipart/form-data')
  @ApiOperation({
    summary:
      'Hand in the number (or "will not provide"), dependents and photos: a `data` field (JSON) and one file per photo named `<document>:<front|back>` (a dependent\'s, when `dependentPhotos` is on: `dependents[<i>]/<document>:<front|back>`)',
  })
  @ApiCreatedResponse({ type: CollectSubmissionAnswerDto })
  async submission(@Req() req: FastifyRequest, @CurrentRequest() request: RequestMeta): Promise<{ status: 'waiting' }> {
    const link = await this.checkedLink(req, request);
    if (typeof req.isMultipart !== 'function' || !req.isMultipart()) {
      throw new UnsupportedMediaTypeException({ code: 'collection.multipart-required', message: 'Send the submission as multipart/form-data' });
    }
    const { form, photos } = await this.readParts(req);
    await this.submit.submit(link, form, photos, request);
    return { status: 'waiting' };
  }

  private async checkedLink(req: FastifyRequest, request: RequestMeta) {
    const token = req.headers[TOKEN_HEADER];
    await this.rateLimit.hit(request.clientAddress, isWellFormedToken(token) ? hashLinkToken(token).toString('hex') : null);
    return this.requests.resolveOpen(token);
  }

  private async readParts(req: FastifyRequest): Promise<{ form: SubmissionForm; photos: RawPhoto[] }> {
    const maxBytes = this.submit.imageLimits.maxBytes;
    const maxPhotos = SUBMITTER_PHOTOS + (this.notice.dependentPhotos ? PHOTOS_PER_DEPENDENT * MAX_DEPENDENTS : 0);
    let form: SubmissionForm | null = null;
    const photos: RawPhoto[] = [];
    try {
      const parts = req.parts({
        limits: { fileSize: maxBytes, files: maxPhotos, fields: 2, fieldSize: FORM_FIELD_BYTES, parts: maxPhotos + 2, headerPairs: 20 },
      });
      for await (const part of parts) {
        if (part.type === 'field') {
          if (part.fieldname !== 'data') throw new BadRequestException({ code: 'collection.form-field', message: 'The only form field is data (JSON)' });
          if (part.valueTruncated) throw new PayloadTooLargeException({ code: 'collection.form-too-large', message: 'The data field is too large' });
          form = this.parseForm(String(part.value));
          continue;
        }
        const match = IMAGE_FIELD.exec(part.fieldname);
        if (!match) {
          part.file.resume();
          throw new BadRequestException({
            code: 'collection.photo-field',
            message: "A photo field must be named <document>:<front|back> (a dependent's: dependents[<i>]/<document>:<front|back>)",
          });
        }
        const entry = match[1] === undefined ? 0 : Number(match[1]) + 1;
        photos.push({ entry, document: match[2]!, side: match[3] as 'front' | 'back', bytes: await part.toBuffer() });
      }
    } catch (error) {
      if (error instanceof HttpException) throw error;
      const code = (error as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(maxBytes);
      if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
        throw new PayloadTooLargeException({ code: 'collection.too-many-parts', message: `At most ${maxPhotos} photos and one data field` });
      }
      throw new BadRequestException({ code: 'collection.multipart-invalid', message: 'The form could not be read; send it again' });
    }
    if (!form) throw new BadRequestException({ code: 'collection.form-missing', message: 'The data field (JSON) is missing' });
    return { form, photos };
  }

  private parseForm(text: string): SubmissionForm {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new BadRequestException({ code: 'collection.form-invalid', message: 'The data field is not valid JSON' });
    }
    const parsed = submissionFormSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      // names the field and the rule, never the value
      throw new BadRequestException({ code: 'collection.form-invalid', message: `${issue!.path.join('.') || 'data'}: ${issue!.message}` });
    }
    return parsed.data;
  }
}
