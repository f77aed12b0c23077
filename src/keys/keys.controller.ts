import { Controller, Get, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiCreatedResponse } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { KeyRetirementService, KeyVersionView } from './key-retirement.service';
import { KeyVersionViewDto } from '@/keys/dto/keys.responses';

/** Key-encryption key versions and their retirement: admins only. */
@ApiTags('keys')
@Auth('admin')
@Controller('keys')
export class KeysController {
  constructor(private readonly retirement: KeyRetirementService) {}

  @Get('versions')
  @ApiOperation({ summary: 'KEK versions: current, data keys under each, retirement and destruction dates' })
  @ApiOkResponse({ type: [KeyVersionViewDto] })
  list(): Promise<KeyVersionView[]> {
    return this.retirement.list();
  }

  @Post('versions/:version/retire')
  @ApiOperation({
    summary: 'Retire an old KEK version no data key uses any more: destroyed in the keystore after KEY_RETIREMENT_DELAY_DAYS (the backup retention)',
  })
  @ApiCreatedResponse({ type: KeyVersionViewDto })
  retire(@Param('version', ParseIntPipe) version: number, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<KeyVersionView> {
    return this.retirement.retire(version, staff, request);
  }
}
