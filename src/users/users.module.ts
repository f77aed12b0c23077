import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PasswordHasher } from './password-hasher.service';
import { RecoveryCode } from './recovery-code.entity';
import { StaffCredentialsService } from './staff-credentials.service';
import { StaffUser } from './staff-user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';
import { UsersRepository } from './users.repository';

/** Staff accounts and their credential state. Sessions and the login flow live in the auth module. */
@Module({
  imports: [TypeOrmModule.forFeature([StaffUser, RecoveryCode])],
  controllers: [UsersController],
  providers: [UsersService, StaffCredentialsService, PasswordHasher, UsersRepository],
  exports: [UsersService, StaffCredentialsService],
})
export class UsersModule {}
