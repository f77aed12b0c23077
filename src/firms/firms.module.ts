import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '@/users/users.module';
import { FirmsController } from './firms.controller';
import { FirmsRepository } from './firms.repository';
import { FirmsService } from './firms.service';
import { OutsideFirm } from './outside-firm.entity';

/** 委託先 (issue #19): outside firms and their accounts; the guard asks it about a firm account's window. */
@Module({
  imports: [TypeOrmModule.forFeature([OutsideFirm]), UsersModule],
  controllers: [FirmsController],
  providers: [FirmsRepository, FirmsService],
  exports: [FirmsService],
})
export class FirmsModule {}
