import { Body, Controller, Get, Param, ParseEnumPipe, Put } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags, ApiOkResponse } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, MaxLength } from 'class-validator';
import { Auth, CurrentRequest, CurrentStaff } from '@/common/auth/auth.decorators';
import { Role, ROLES } from '@/common/auth/roles';
import { RequestMeta, Staff } from '@/common/auth/staff';
import { AllowListService } from './allow-list.service';
import { AllowListListAnswerDto } from '@/network/dto/network.responses';

export class AllowListDto {
  @ApiProperty({ example: ['192.0.2.0/24', '2001:db8::/32'], description: 'Addresses or CIDR blocks; an empty list lets the role in from anywhere' })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  cidrs: string[];
}

/** IP allow-list per role (issue #19). */
@ApiTags('network')
@Controller('network/allow-list')
export class AllowListController {
  constructor(private readonly allowList: AllowListService) {}

  @Get()
  @Auth('admin', 'auditor', 'responsible')
  @ApiOperation({ summary: 'The addresses each role may use the API from (a role not listed: anywhere)' })
  @ApiOkResponse({ type: AllowListListAnswerDto })
  list(@CurrentRequest() request: RequestMeta) {
    return this.allowList.list(request);
  }

  @Put(':role')
  @Auth('admin')
  @ApiOperation({ summary: "Set a role's allowed addresses (CIDR); [] removes the restriction. Refused if it would lock you out" })
  @ApiOkResponse({ type: AllowListListAnswerDto })
  set(@Param('role', new ParseEnumPipe(ROLES)) role: Role, @Body() dto: AllowListDto, @CurrentStaff() staff: Staff, @CurrentRequest() request: RequestMeta) {
    return this.allowList.set(role, dto.cidrs, staff, request);
  }
}
