import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { CreatedUserDto, CreateUserDto, DeactivateUserDto, ListUsersQuery, StaffAccountDto, StaffAccountPageDto, UpdateUserDto } from './dto/user.dto';
import { UsersService } from './users.service';

/** Staff accounts: admins only. */
@ApiTags('users')
@Auth('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Create a staff account; the one-time initial password is shown once and must be changed at first login' })
  @ApiCreatedResponse({ type: CreatedUserDto })
  create(@Body() dto: CreateUserDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<CreatedUserDto> {
    return this.users.create(dto, staff, request);
  }

  @Get()
  @ApiOperation({ summary: 'Account inventory: roles, status, last login, second factor, training, dormant flag (DORMANT_DAYS)' })
  @ApiOkResponse({ type: StaffAccountPageDto })
  list(@Query() query: ListUsersQuery): Promise<StaffAccountPageDto> {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One account, as in the inventory' })
  @ApiOkResponse({ type: StaffAccountDto })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<StaffAccountDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change roles and/or display name (the last active admin cannot be demoted)' })
  @ApiOkResponse({ type: StaffAccountDto })
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateUserDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ): Promise<StaffAccountDto> {
    return this.users.update(id, dto, staff, request);
  }

  @Post(':id/deactivate')
  @HttpCode(204)
  @ApiOperation({ summary: 'Offboarding: the account never logs in again; its sessions end at once' })
  @ApiNoContentResponse()
  async deactivate(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: DeactivateUserDto,
    @CurrentStaff() staff: Staff,
    @CurrentRequest() request: RequestMeta,
  ): Promise<void> {
    await this.users.deactivate(id, dto.reason, staff, request);
  }

  @Post(':id/totp/reset')
  @HttpCode(204)
  @ApiOperation({ summary: 'Reset the second factor (lost authenticator): secret and recovery codes cleared, sessions ended; next login enrols' })
  @ApiNoContentResponse()
  async resetTotp(@Param('id', ParseUUIDPipe) id: string, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<void> {
    await this.users.resetTotp(id, staff, request);
  }

  @Post(':id/handover-admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give the admin role to this person and remove it from the caller, in one audited step' })
  @ApiOkResponse({ type: StaffAccountDto })
  handover(@Param('id', ParseUUIDPipe) id: string, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta): Promise<StaffAccountDto> {
    return this.users.handoverAdmin(id, staff, request);
  }
}
