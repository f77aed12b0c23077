import { Controller, Get, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { KeyRetirementService, KeyVersionView, PendingRetirement } from './key-retirement.service';
import { KeyVersionViewDto, PendingRetirementDto } from '@/keys/dto/keys.responses';

/** Key-encryption key versions and their retirement: admins only. */
@ApiTags('keys')
@Auth('admin')
@Controller('keys')
export class KeysController {
  constructor(private readonly retirement: KeyRetirementService) {}

  @Get('versions')
  @ApiOperation({ summary: 'KEK versions: current, data keys under each, retirement and destruction dates, a retirement waiting for its second person' })
  @ApiOkResponse({ type: [KeyVersionViewDto] })
  list(): Promise<KeyVersionView[]> {
    return this.retirement.list();
  }

  @Post('versions/:version/retire')
  @ApiOperation({
    summary:
      'Ask to retire an old KEK version no data key uses any more (destroyed after KEY_RETIREMENT_DELAY_DAYS, the backup retention): 202 while it waits for a second person ' +
      '(another admin: POST /keys/retirements/:id/confirm; with four eyes required the responsible person: POST /approvals/:id/approve); 201 retired at once only under a four-eyes waiver',
  })
  @ApiCreatedResponse({ type: KeyVersionViewDto, description: 'Retired at once (four-eyes waiver)' })
  @ApiAcceptedResponse({ type: PendingRetirementDto, description: 'Waits for the second person' })
  async retire(
    @Param('version', ParseIntPipe) version: number,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<KeyVersionView | PendingRetirement> {
    const result = await this.retirement.requestRetirement(version, staff, request);
    if ('status' in result) res.status(202);
    return result;
  }

  @Post('retirements/:id/confirm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A second admin confirms a waiting retirement (no four-eyes policy set up); not the one who asked (403 approval.same-person)',
  })
  @ApiOkResponse({ type: KeyVersionViewDto })
  confirm(@Param('id', ParseUUIDPipe) id: string, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<KeyVersionView> {
    return this.retirement.confirm(id, staff, request);
  }

  @Post('retirements/:id/cancel')
  @HttpCode(204)
  @ApiOperation({ summary: 'Withdraw a waiting retirement; nothing is retired' })
  @ApiNoContentResponse()
  async cancel(@Param('id', ParseUUIDPipe) id: string, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<void> {
    await this.retirement.cancel(id, staff, request);
  }
}
