import { ApiProperty } from '@nestjs/swagger';
import { CollectOpenAnswerIdentityDocumentsItemDto } from '@/collection/dto/collection.responses';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class ConsoleReferenceAnswerPurposesItemDto {
  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  label: string;

  @ApiProperty({ type: String })
  labelEn: string;

  @ApiProperty({ enum: ['employee', 'dependent', 'payee'], isArray: true })
  kinds: ('employee' | 'dependent' | 'payee')[];
}

export class ConsoleReferenceAnswerRetentionRulesItemDto {
  @ApiProperty({ type: String })
  documentType: string;

  @ApiProperty({ type: String })
  label: string;

  @ApiProperty({ enum: ['after-january-10-following-deadline-year', 'after-filing-deadline', 'matter-closed'] })
  start: 'after-january-10-following-deadline-year' | 'after-filing-deadline' | 'matter-closed';

  @ApiProperty({ enum: ['law', 'company-choice'] })
  period: 'law' | 'company-choice';
}

/** How many identity documents of each kind a check needs (config/identity-documents.json). */
export class ConsoleReferenceAnswerIdentityRuleDto {
  @ApiProperty({ type: 'integer' })
  photo: number;

  @ApiProperty({ type: 'integer' })
  nonPhoto: number;
}

export class ConsoleReferenceAnswerDto {
  @ApiProperty({ type: () => ConsoleReferenceAnswerPurposesItemDto, isArray: true })
  purposes: ConsoleReferenceAnswerPurposesItemDto[];

  @ApiProperty({ type: () => CollectOpenAnswerIdentityDocumentsItemDto, isArray: true })
  identityDocuments: CollectOpenAnswerIdentityDocumentsItemDto[];

  @ApiProperty({ type: () => ConsoleReferenceAnswerIdentityRuleDto })
  identityRule: ConsoleReferenceAnswerIdentityRuleDto;

  @ApiProperty({ type: () => ConsoleReferenceAnswerRetentionRulesItemDto, isArray: true })
  retentionRules: ConsoleReferenceAnswerRetentionRulesItemDto[];
}
