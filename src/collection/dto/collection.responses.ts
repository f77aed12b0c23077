import { ApiProperty } from '@nestjs/swagger';

// Response shapes for the OpenAPI document (issue #20): what the routes answer, so generated clients are typed.

export class CollectOpenAnswerNoticePurposesItemDto {
  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  label: string;

  @ApiProperty({ type: String })
  labelEn: string;
}

export class CollectOpenAnswerNoticeDto {
  @ApiProperty({ type: String })
  version: string;

  @ApiProperty({ type: () => CollectOpenAnswerNoticePurposesItemDto, isArray: true })
  purposes: CollectOpenAnswerNoticePurposesItemDto[];

  @ApiProperty({ type: () => CollectOpenAnswerNoticePurposesItemDto, isArray: true })
  dependentPurposes: CollectOpenAnswerNoticePurposesItemDto[];

  @ApiProperty({ type: String, isArray: true })
  handlingSummary: string[];

  @ApiProperty({ type: String, isArray: true })
  handlingSummaryEn: string[];
}

export class CollectOpenAnswerIdentityDocumentsItemDto {
  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  label: string;

  @ApiProperty({ type: Boolean })
  numberProof: boolean;

  @ApiProperty({ enum: ['both', 'photo', 'non-photo', 'none'] })
  identityProof: 'both' | 'photo' | 'non-photo' | 'none';
}

export class CollectOpenAnswerDto {
  @ApiProperty({ type: String })
  company: string;

  @ApiProperty({ type: String })
  greetingName: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt: string;

  @ApiProperty({ type: String, nullable: true })
  returnReason: string | null;

  @ApiProperty({ type: () => CollectOpenAnswerNoticeDto })
  notice: CollectOpenAnswerNoticeDto;

  @ApiProperty({ type: () => CollectOpenAnswerIdentityDocumentsItemDto, isArray: true })
  identityDocuments: CollectOpenAnswerIdentityDocumentsItemDto[];

  @ApiProperty({ type: String, isArray: true })
  notProvidedReasons: string[];

  @ApiProperty({ type: String, isArray: true })
  relationships: string[];

  @ApiProperty({ type: Boolean })
  dependentPhotos: boolean;

  @ApiProperty({ type: 'integer' })
  maxImageBytes: number;

  @ApiProperty({ type: String, format: 'date-time' })
  now: string;
}

export class CollectSubmissionAnswerDto {
  @ApiProperty({ enum: ['waiting'] })
  status: 'waiting';
}

export class IssuedLinkDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ type: String })
  status: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt: string;

  @ApiProperty({ type: String })
  link: string;

  @ApiProperty({ type: Boolean })
  mailed: boolean;
}

export class CollectionCreateAnswerSkippedItemDto {
  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: String })
  reason: string;
}

export class CollectionCreateAnswerDto {
  @ApiProperty({ type: () => IssuedLinkDto, isArray: true })
  items: IssuedLinkDto[];

  @ApiProperty({ type: () => CollectionCreateAnswerSkippedItemDto, isArray: true })
  skipped: CollectionCreateAnswerSkippedItemDto[];
}

export class RequestViewDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid' })
  subjectId: string;

  @ApiProperty({ type: String, nullable: true })
  code: string | null;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;

  @ApiProperty({ type: String })
  status: string;

  @ApiProperty({ type: Boolean })
  expired: boolean;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  issuedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  mailedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  submittedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  returnReason: string | null;
}

export class CollectionListAnswerDto {
  @ApiProperty({ type: () => RequestViewDto, isArray: true })
  items: RequestViewDto[];
}

export class CollectionSubmissionsAnswerItemsItemSubjectDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true })
  code: string | null;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;
}

export class CollectionSubmissionsAnswerItemsItemEntriesItemDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['dependent', 'self'] })
  relation: 'dependent' | 'self';

  @ApiProperty({ type: String, nullable: true })
  name: string | null;

  @ApiProperty({ type: String, nullable: true })
  nameKana: string | null;

  @ApiProperty({ type: String, nullable: true })
  relationship: string | null;

  @ApiProperty({ type: Boolean })
  provided: boolean;

  @ApiProperty({ type: String, nullable: true })
  notProvidedReason: string | null;

  @ApiProperty({ type: String, nullable: true })
  numberDocument: string | null;

  @ApiProperty({ type: String, isArray: true })
  identityDocuments: string[];

  @ApiProperty({ type: Boolean })
  duplicate: boolean;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  storedSubjectId: string | null;
}

export class CollectionSubmissionsAnswerItemsItemImagesItemDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  document: string;

  @ApiProperty({ type: String })
  side: string;

  @ApiProperty({ type: String })
  contentType: string;

  @ApiProperty({ type: 'integer' })
  bytes: number;
}

export class CollectionSubmissionsAnswerItemsItemDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  requestId: string;

  @ApiProperty({ enum: ['approved', 'waiting', 'returned'] })
  status: 'approved' | 'waiting' | 'returned';

  @ApiProperty({ type: () => CollectionSubmissionsAnswerItemsItemSubjectDto })
  subject: CollectionSubmissionsAnswerItemsItemSubjectDto;

  @ApiProperty({ type: String, format: 'date-time' })
  submittedAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  acknowledgedAt: string;

  @ApiProperty({ type: String, isArray: true })
  purposes: string[];

  @ApiProperty({ type: String, nullable: true })
  numberDocument: string | null;

  @ApiProperty({ type: String, isArray: true })
  identityDocuments: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  reviewedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  returnReason: string | null;

  @ApiProperty({ type: Boolean })
  flagged: boolean;

  @ApiProperty({ type: () => CollectionSubmissionsAnswerItemsItemEntriesItemDto, isArray: true })
  entries: CollectionSubmissionsAnswerItemsItemEntriesItemDto[];

  @ApiProperty({ type: () => CollectionSubmissionsAnswerItemsItemImagesItemDto, isArray: true })
  images: CollectionSubmissionsAnswerItemsItemImagesItemDto[];
}

export class CollectionSubmissionsAnswerDto {
  @ApiProperty({ type: () => CollectionSubmissionsAnswerItemsItemDto, isArray: true })
  items: CollectionSubmissionsAnswerItemsItemDto[];
}

export class CollectionRevealAnswerEntriesItemDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true })
  number: string | null;
}

export class CollectionRevealAnswerDto {
  @ApiProperty({ type: () => CollectionRevealAnswerEntriesItemDto, isArray: true })
  entries: CollectionRevealAnswerEntriesItemDto[];
}

export class CollectionApproveAnswerDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  status: string;

  @ApiProperty({ type: String, isArray: true })
  storedFor: string[];

  @ApiProperty({ type: 'integer' })
  imagesDeleted: number;
}

export class CollectionSendBackAnswerDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  status: string;

  @ApiProperty({ type: String })
  reason: string;
}
