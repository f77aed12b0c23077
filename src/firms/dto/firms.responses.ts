import { ApiProperty } from '@nestjs/swagger';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class FirmsCreateAnswerChecklistItemDto {
  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  label: string;

  @ApiProperty({ type: String })
  basis: string;

  @ApiProperty({ type: Boolean })
  done: boolean;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ type: String, nullable: true })
  checkedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  checkedAt: string | null;
}

export class FirmsCreateAnswerDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ enum: ['labor-consultant', 'tax-accountant', 'payroll-bureau', 'other'] })
  kind: 'labor-consultant' | 'tax-accountant' | 'payroll-bureau' | 'other';

  @ApiProperty({ type: String })
  scope: string;

  @ApiProperty({ type: String, isArray: true })
  purposes: string[];

  @ApiProperty({ type: String, format: 'date' })
  contractStartsOn: string;

  @ApiProperty({ type: String, format: 'date' })
  contractEndsOn: string;

  @ApiProperty({ type: String })
  accessFrom: string;

  @ApiProperty({ type: String })
  accessUntil: string;

  @ApiProperty({ type: Boolean })
  accessOpenNow: boolean;

  @ApiProperty({ type: String })
  checklistBasis: string;

  @ApiProperty({ type: () => FirmsCreateAnswerChecklistItemDto, isArray: true })
  checklist: FirmsCreateAnswerChecklistItemDto[];

  @ApiProperty({ type: String, nullable: true })
  recipientKeyFingerprint: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  recipientKeySetAt: string | null;

  @ApiProperty({ type: String, nullable: true, description: "The firm's age X25519 recipient (age1…)" })
  ageRecipient: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  ageRecipientSetAt: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;
}

/** A firm an export can be handed to (GET /firms/recipients, for clerks): no contract details beyond what the export needs. */
export class FirmRecipientDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ type: String, isArray: true, description: "The contract's purposes: an export for another purpose is refused" })
  purposes: string[];

  @ApiProperty({ enum: ['openpgp', 'age'], isArray: true, description: 'The keys registered for the firm (a one-time passphrase is always possible)' })
  keys: Array<'openpgp' | 'age'>;
}

export class FirmRecipientsAnswerDto {
  @ApiProperty({ type: () => FirmRecipientDto, isArray: true })
  items: FirmRecipientDto[];
}

export class FirmsListAnswerDto {
  @ApiProperty({ type: () => FirmsCreateAnswerDto, isArray: true })
  items: FirmsCreateAnswerDto[];
}

export class FirmsCreateAccountAnswerDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  username: string;

  @ApiProperty({ type: String })
  initialPassword: string;
}
