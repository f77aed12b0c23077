import { BadRequestException, ForbiddenException, Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Put, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { streamReply } from '@/common/http/streamed-reply';
import { Auth, CurrentRequest, CurrentStaff, StaffRequest } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { BulkRevealDto, NumberStatusDto, RevealDto, StoreNumberDto } from './dto/number.dto';
import { BulkRevealService } from './bulk-reveal.service';
import { bulkFormatFor, httpBulkSink } from './bulk-export.format';
import { NumbersService } from './numbers.service';
import { FirmsService, passphraseEncryption } from '@/firms/firms.service';
import { RevealService } from './reveal.service';
import { NumbersExportPassphraseAnswerDto, NumbersRevealAnswerDto } from '@/numbers/dto/numbers.responses';

@ApiTags('numbers')
@ApiExtraModels(NumbersExportPassphraseAnswerDto)
@Controller()
export class NumbersController {
  constructor(
    private readonly numbers: NumbersService,
    private readonly reveals: RevealService,
    private readonly bulk: BulkRevealService,
    private readonly firms: FirmsService,
  ) {}

  @Put('subjects/:id/number')
  @Auth('clerk')
  @ApiOperation({ summary: 'Store or correct a number (201 new, 200 replaced); answers the masked status' })
  @ApiCreatedResponse({ type: NumberStatusDto, description: 'Stored (no number was on file)' })
  @ApiOkResponse({ type: NumberStatusDto, description: 'Replaced' })
  async store(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: StoreNumberDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<NumberStatusDto> {
    const { created, status } = await this.numbers.store(id, dto, staff, request);
    res.status(created ? 201 : 200);
    return status;
  }

  @Get('subjects/:id/number')
  @Auth('clerk')
  @ApiOperation({ summary: 'Masked status: whether a number is on file; never digits' })
  @ApiOkResponse({ type: NumberStatusDto })
  status(@Param('id', ParseUUIDPipe) id: string): Promise<NumberStatusDto> {
    return this.numbers.status(id);
  }

  @Post('subjects/:id/number/reveal')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Auth('clerk')
  @ApiOperation({ summary: 'Reveal one number for a notified purpose (audited before it leaves)' })
  @ApiOkResponse({ type: NumbersRevealAnswerDto })
  async reveal(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: RevealDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ): Promise<{ number: string }> {
    return { number: await this.reveals.reveal(id, dto.purpose, staff, request) };
  }

  @Post('reveals')
  @Auth('clerk')
  @ApiOperation({ summary: 'Bulk retrieval for filings, streamed as CSV (default) or NDJSON by Accept; or encrypted (issue #19)' })
  @ApiOkResponse({
    description:
      'Streamed CSV (default) or NDJSON by Accept (company clerks: 持出し). For an outside firm (提供): an OpenPGP message (ASCII armour) for its key, ' +
      'or an age file (ASCII armour) for its age recipient. With encryption = passphrase: JSON with the one-time passphrase and the OpenPGP message.',
    content: {
      'text/csv': { schema: { type: 'string' } },
      'application/x-ndjson': { schema: { type: 'string', description: 'one JSON object per person and line' } },
      'application/pgp-encrypted': { schema: { type: 'string' } },
      'application/x-age-encryption': { schema: { type: 'string', description: 'age file, ASCII armour (-----BEGIN AGE ENCRYPTED FILE-----)' } },
      'application/json': { schema: { $ref: getSchemaPath(NumbersExportPassphraseAnswerDto) } },
    },
  })
  async bulkReveal(
    @Body() dto: BulkRevealDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
    @Req() req: StaffRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const format = bulkFormatFor(req.headers.accept);
    const recipient = await this.recipientOf(dto, staff);
    const encryption = recipient?.encryption ?? (dto.encryption === 'passphrase' ? passphraseEncryption() : null);
    const plan = await this.bulk.plan(dto, format, staff, request);
    if (!encryption) {
      // plain CSV / NDJSON: only for the company's own clerks (持出し)
      await this.bulk.stream(
        plan,
        httpBulkSink((headers) => streamReply(res, headers), format),
      );
      return;
    }
    plan.recipient = recipient ? { firmId: recipient.firmId, firmName: recipient.firmName } : null;
    plan.encryption = { kind: encryption.kind, keyId: encryption.keyId };
    const chunks: string[] = [];
    await this.bulk.stream(
      plan,
      httpBulkSink(() => ({ write: async (chunk: string) => (chunks.push(chunk), true), end: () => undefined }), format),
    );
    const inner = `my-numbers.${format === 'csv' ? 'csv' : 'ndjson'}`;
    const armored = await encryption.encrypt(chunks.join(''), inner);
    chunks.length = 0;
    if (encryption.kind === 'passphrase') {
      // the one time the passphrase exists outside this process: in this answer (no-store), never stored or logged
      await res
        .status(200)
        .header('Content-Type', 'application/json; charset=utf-8')
        .header('Cache-Control', 'no-store')
        .send({ passphrase: encryption.passphrase, filename: `${inner}.asc`, contentType: 'application/pgp-encrypted', file: armored });
      return;
    }
    const age = encryption.kind === 'age';
    await res
      .status(200)
      .header('Content-Type', age ? 'application/x-age-encryption' : 'application/pgp-encrypted')
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="${inner}.${age ? 'age' : 'asc'}"`)
      .send(armored);
  }

  /**
   * Issue #19: an outside firm's account, or a clerk handing the export to a firm, gets it
   * encrypted for the firm's key, and only for a purpose of the firm's contract.
   */
  private async recipientOf(dto: BulkRevealDto, staff: Staff) {
    if (staff.firm && dto.recipientFirmId && dto.recipientFirmId !== staff.firm.id) {
      throw new ForbiddenException({ code: 'export.other-firm', message: "An outside firm's account can export only to its own firm" });
    }
    if (staff.firm && dto.encryption === 'passphrase') {
      // the passphrase would travel with the file to the same person: a firm's account uses the firm's key
      throw new ForbiddenException({
        code: 'export.passphrase-not-for-firm',
        message: "An outside firm's account gets its exports for the firm's registered key (openpgp or age), not with a passphrase",
      });
    }
    const firmId = staff.firm?.id ?? dto.recipientFirmId;
    if (!firmId) {
      if (dto.encryption === 'openpgp' || dto.encryption === 'age') {
        throw new BadRequestException({ code: 'export.recipient-required', message: 'Encryption for a key needs recipientFirmId: the firm whose key it is' });
      }
      return null;
    }
    const recipient = await this.firms.recipient(firmId, dto.encryption);
    if (dto.purpose && !recipient.purposes.includes(dto.purpose)) {
      throw new ForbiddenException({
        code: 'export.purpose-outside-contract',
        message: "This purpose is not among the firm's contract purposes (委託契約の範囲外)",
      });
    }
    return recipient;
  }
}
