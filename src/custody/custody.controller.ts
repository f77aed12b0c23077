import { Body, Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiCreatedResponse } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff, Public } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { CustodySetupDto, LeaveCustodyDto, UnsealDto } from './dto/custody.dto';
import { CustodyService, CustodyStatus, CustodyView, MyShareStatus } from './custody.service';
import { AvailableWhenSealed } from './sealed.guard';
import { CustodyCollectAnswerDto, CustodyStatusDto, CustodyViewDto, MyShareStatusDto } from '@/custody/dto/custody.responses';

/** Key custody: sealed start and k-of-n unseal (issue #18). */
@ApiTags('custody')
@Controller('custody')
export class CustodyController {
  constructor(private readonly custody: CustodyService) {}

  @Get('status')
  @Public()
  @AvailableWhenSealed()
  @ApiOperation({ summary: 'Mode (auto-unseal or custody), sealed or not, k, n and shares entered so far' })
  @ApiOkResponse({ type: CustodyStatusDto })
  status(): CustodyStatus {
    return this.custody.status();
  }

  @Post('unseal')
  @Public()
  @AvailableWhenSealed()
  @HttpCode(200)
  @ApiOperation({ summary: 'A key holder enters their share while the vault is sealed; the k-th valid share unseals' })
  @ApiOkResponse({ type: CustodyStatusDto, description: 'Status after the share' })
  unseal(@Body() dto: UnsealDto, @CurrentRequest() request: RequestMeta): Promise<CustodyStatus> {
    return this.custody.enterShare(dto.share, request);
  }

  @Get()
  @Auth('admin')
  @ApiOperation({ summary: 'Custody details for admins: holders, whether each collected the share, open tasks (rekey)' })
  @ApiOkResponse({ type: CustodyViewDto })
  view(): Promise<CustodyView> {
    return this.custody.view();
  }

  @Post('shares')
  @Auth('admin')
  @ApiOperation({ summary: 'Switch to custody mode, or rekey: a new master secret split into one share per holder, k to unseal' })
  @ApiCreatedResponse({ type: CustodyViewDto })
  issue(@Body() dto: CustodySetupDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<CustodyView> {
    return this.custody.issueShares(dto.threshold, dto.holders, staff, request);
  }

  @Post('my-share')
  @Auth()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'A holder collects their share: shown once, never stored; print it (QR) and keep it offline' })
  @ApiOkResponse({ type: CustodyCollectAnswerDto })
  collect(@CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.custody.collectShare(staff, request);
  }

  @Get('my-share')
  @Auth()
  @ApiOperation({ summary: 'Whether a share waits for me to collect (never the share itself)' })
  @ApiOkResponse({ type: MyShareStatusDto })
  myShare(@CurrentStaff() staff: Staff): MyShareStatus {
    return this.custody.myShare(staff);
  }

  @Post('auto-unseal')
  @Auth('admin')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Back from custody to auto-unseal: the vault unsealed, and k shares or a recent step-up; the keystore is written under KEYSTORE_PASSPHRASE and the descriptor removed (audited)',
  })
  @ApiOkResponse({ type: CustodyViewDto })
  leave(@Body() dto: LeaveCustodyDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<CustodyView> {
    return this.custody.leaveCustody(dto.shares, staff, request);
  }
}
