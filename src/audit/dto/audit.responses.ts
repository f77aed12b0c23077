import { PageDto } from '@/common/http/page.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class AuditEntryViewDto {
  @ApiProperty({ type: String })
  seq: string;

  @ApiProperty({ type: String, format: 'date-time' })
  at: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actorId: string | null;

  @ApiProperty({ type: String, nullable: true })
  actorUsername: string | null;

  @ApiProperty({ type: String, isArray: true })
  actorRoles: string[];

  @ApiProperty({ type: String })
  action: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  subjectId: string | null;

  @ApiProperty({ type: String, nullable: true })
  purpose: string | null;

  @ApiProperty({ type: String })
  outcome: string;

  @ApiProperty({ type: String, nullable: true })
  requestId: string | null;

  @ApiProperty({ type: String, nullable: true })
  clientAddress: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'Action-specific facts (never a number)' })
  details: unknown;

  @ApiProperty({ type: String, nullable: true })
  hash: string | null;
}

export class AuditEntriesAnswerDto extends PageDto(AuditEntryViewDto) {}

export class AuditVerifyResultWitnessedHeadDto {
  @ApiProperty({ type: String })
  source: string;

  @ApiProperty({ type: 'integer' })
  treeSize: number;

  @ApiProperty({ type: String })
  rootHash: string;

  @ApiProperty({ type: String, format: 'date-time' })
  at: string;
}

export class AuditVerifyResultDto {
  @ApiProperty({ type: 'integer' })
  treeSize: number;

  @ApiProperty({ type: String, nullable: true })
  rootHash: string | null;

  @ApiProperty({ type: 'integer' })
  treeHeadsChecked: number;

  @ApiProperty({ type: () => AuditVerifyResultWitnessedHeadDto, nullable: true })
  witnessedHead: AuditVerifyResultWitnessedHeadDto | null;

  @ApiProperty({ type: Boolean })
  ok: boolean;

  @ApiProperty({ type: 'integer' })
  entriesChecked: number;

  @ApiProperty({ type: 'integer' })
  checkpointsChecked: number;

  @ApiProperty({ type: 'integer' })
  lastSeq: number;

  @ApiPropertyOptional({ type: 'integer' })
  firstBadSeq?: number;

  @ApiPropertyOptional({ type: String })
  reason?: string;
}

export class TreeHeadJsonDto {
  @ApiProperty({ enum: ['mynumber-vault-sth-v1'] })
  format: 'mynumber-vault-sth-v1';

  @ApiProperty({ type: 'integer' })
  treeSize: number;

  @ApiProperty({ type: String })
  rootHash: string;

  @ApiProperty({ type: String, format: 'date-time' })
  at: string;

  @ApiProperty({ type: String })
  signature: string;

  @ApiPropertyOptional({ type: String })
  certSha256?: string;
}

/** The newest tree head a witness holds, where it came from and how old it is. */
export class WitnessOverviewLatestWitnessedDto extends TreeHeadJsonDto {
  @ApiProperty({ type: String })
  source: string;

  @ApiProperty({ type: 'integer' })
  ageSeconds: number;
}

export class WitnessStatusDto {
  @ApiProperty({ enum: ['directory', 'webhook', 'mail'] })
  witness: 'directory' | 'webhook' | 'mail';

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastAcceptedAt: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  lastAcceptedSize: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  ageSeconds: number | null;

  @ApiProperty({ type: Boolean })
  stale: boolean;
}

export class WitnessOverviewDto {
  @ApiProperty({ type: () => TreeHeadJsonDto, nullable: true })
  treeHead: TreeHeadJsonDto | null;

  @ApiProperty({ type: () => WitnessOverviewLatestWitnessedDto, nullable: true })
  latestWitnessed: WitnessOverviewLatestWitnessedDto | null;

  @ApiProperty({ type: 'integer' })
  staleAfterMinutes: number;

  @ApiProperty({ type: () => WitnessStatusDto, isArray: true })
  witnesses: WitnessStatusDto[];

  @ApiProperty({ type: Boolean })
  warning: boolean;
}

export class InclusionProofDto {
  @ApiProperty({ enum: ['mynumber-vault-inclusion-v1'] })
  format: 'mynumber-vault-inclusion-v1';

  @ApiProperty({ type: 'integer' })
  seq: number;

  @ApiProperty({ type: 'integer' })
  leafIndex: number;

  @ApiProperty({ type: 'integer' })
  treeSize: number;

  @ApiProperty({ type: String })
  entry: string;

  @ApiProperty({ type: String })
  leafHash: string;

  @ApiProperty({ type: String, isArray: true })
  path: string[];

  @ApiProperty({ type: () => TreeHeadJsonDto })
  treeHead: TreeHeadJsonDto;
}

export class ConsistencyProofDto {
  @ApiProperty({ enum: ['mynumber-vault-consistency-v1'] })
  format: 'mynumber-vault-consistency-v1';

  @ApiProperty({ type: 'integer' })
  from: number;

  @ApiProperty({ type: 'integer' })
  to: number;

  @ApiProperty({ type: String, isArray: true })
  proof: string[];

  @ApiProperty({ type: () => TreeHeadJsonDto, nullable: true })
  fromHead: TreeHeadJsonDto | null;

  @ApiProperty({ type: () => TreeHeadJsonDto })
  toHead: TreeHeadJsonDto;
}

export class AuditReviewDto {
  @ApiProperty({ type: String, description: 'Sequence of the sign-off (a decimal string)' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid' })
  reviewerId: string;

  @ApiProperty({ type: String })
  reviewerUsername: string;

  @ApiProperty({ type: String })
  upToSeq: string;

  @ApiProperty({ type: String })
  note: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;
}

export class AuditListReviewsAnswerDto extends PageDto(AuditReviewDto) {}

export class AuditAlertDto {
  @ApiProperty({ enum: ['reveals-per-hour', 'outside-working-hours', 'refused-reveals', 'four-eyes-waived'] })
  type: 'reveals-per-hour' | 'outside-working-hours' | 'refused-reveals' | 'four-eyes-waived';

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actorId: string | null;

  @ApiProperty({ type: String, nullable: true })
  actorUsername: string | null;

  @ApiProperty({ type: 'integer' })
  count: number;

  @ApiProperty({ type: 'integer', nullable: true })
  limit: number | null;

  @ApiProperty({ type: String })
  from: string;

  @ApiProperty({ type: String })
  to: string;

  @ApiProperty({ type: String })
  firstSeq: string;

  @ApiProperty({ type: String })
  lastSeq: string;

  @ApiProperty({ type: String })
  message: string;
}

export class AuditAlertsAnswerDto {
  @ApiProperty({ type: () => AuditAlertDto, isArray: true })
  items: AuditAlertDto[];

  @ApiProperty({ type: 'string', nullable: true })
  nextCursor: null;

  @ApiProperty({ type: String })
  from: string;

  @ApiProperty({ type: String })
  to: string;
}
