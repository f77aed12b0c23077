import { Body, Controller, Get, Header, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { AgeRecipientDto, RecipientKeyDto, ChecklistDto, CreateFirmAccountDto, CreateFirmDto, UpdateFirmDto } from './dto/firm.dto';
import { FirmsService } from './firms.service';
import { FirmRecipientsAnswerDto, FirmsCreateAnswerDto, FirmsListAnswerDto, FirmsCreateAccountAnswerDto } from '@/firms/dto/firms.responses';

/** 委託先: outside firms, their contracts, supervision checklists and accounts. */
@ApiTags('firms')
@Controller('firms')
export class FirmsController {
  constructor(private readonly firms: FirmsService) {}

  @Post()
  @Auth('admin')
  @ApiOperation({ summary: 'Register an outside firm with its contract: scope, purposes, dates, access window, checklist' })
  @ApiCreatedResponse({ type: FirmsCreateAnswerDto })
  create(@Body() dto: CreateFirmDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.firms.create(dto, staff, request);
  }

  @Get()
  @Auth('admin', 'responsible', 'auditor')
  @ApiOperation({ summary: 'Outside firms with their contracts and supervision checklists' })
  @ApiOkResponse({ type: FirmsListAnswerDto })
  list() {
    return this.firms.list();
  }

  @Get('recipients')
  @Auth('clerk')
  @ApiOperation({
    summary: 'Firms an export can be handed to (name, contract purposes, registered keys), for the bulk retrieval screen; a firm account sees its own',
  })
  @ApiOkResponse({ type: FirmRecipientsAnswerDto })
  recipients(@CurrentStaff() staff: Staff) {
    return this.firms.recipients(staff);
  }

  @Get(':id')
  @Auth('admin', 'responsible', 'auditor')
  @ApiOkResponse({ type: FirmsCreateAnswerDto })
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.firms.get(id);
  }

  @Patch(':id')
  @Auth('admin')
  @ApiOperation({ summary: 'Change the contract: scope, purposes, dates, access window' })
  @ApiOkResponse({ type: FirmsCreateAnswerDto })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateFirmDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.firms.update(id, dto, staff, request);
  }

  @Put(':id/checklist')
  @Auth('admin', 'responsible')
  @ApiOperation({ summary: 'Record the supervision checklist (委託先の監督; items of config/compliance.json)' })
  @ApiOkResponse({ type: FirmsCreateAnswerDto })
  checklist(@Param('id', ParseUUIDPipe) id: string, @Body() dto: ChecklistDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.firms.setChecklist(id, dto.items, staff, request);
  }

  @Put(':id/recipient-key')
  @Auth('admin')
  @ApiOperation({ summary: "Register the firm's OpenPGP public key: exports to the firm leave encrypted for it" })
  @ApiOkResponse({ type: FirmsCreateAnswerDto })
  recipientKey(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RecipientKeyDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.firms.setRecipientKey(id, dto.publicKey, staff, request);
  }

  @Put(':id/age-recipient')
  @Auth('admin')
  @ApiOperation({ summary: "Register the firm's age X25519 recipient (age1…): exports to the firm can leave encrypted for it (encryption: age)" })
  @ApiOkResponse({ type: FirmsCreateAnswerDto })
  ageRecipient(@Param('id', ParseUUIDPipe) id: string, @Body() dto: AgeRecipientDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.firms.setAgeRecipient(id, dto.recipient, staff, request);
  }

  @Post(':id/accounts')
  @Auth('admin')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: "A firm's account (role clerk, limited to the contract); waits for the responsible person under four eyes; one-time password shown once",
  })
  @ApiCreatedResponse({ type: FirmsCreateAccountAnswerDto })
  createAccount(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: CreateFirmAccountDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ) {
    return this.firms.createAccount(id, dto, staff, request);
  }
}
