import { Module } from '@nestjs/common';
import { AllowListController } from './allow-list.controller';
import { AllowListRepository } from './allow-list.repository';
import { AllowListService } from './allow-list.service';

/** IP allow-list per role (issue #19); the auth guard asks AllowListService on every signed-in request. */
@Module({
  controllers: [AllowListController],
  providers: [AllowListRepository, AllowListService],
  exports: [AllowListService],
})
export class NetworkModule {}
