import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Subject } from './subject.entity';
import { SubjectPurpose } from './subject-purpose.entity';
import { SubjectRelationship } from './subject-relationship.entity';
import { NumberRequest } from './number-request.entity';
import { SubjectsController } from './subjects.controller';
import { SubjectsService } from './subjects.service';
import { SubjectsRepository } from './subjects.repository';

@Module({
  imports: [TypeOrmModule.forFeature([Subject, SubjectPurpose, SubjectRelationship, NumberRequest])],
  controllers: [SubjectsController],
  providers: [SubjectsService, SubjectsRepository],
  exports: [SubjectsService],
})
export class SubjectsModule {}
