import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ComplianceData } from './compliance-data';
import { Env } from './env.schema';
import {
  AlertRules,
  HandlingRules,
  IdentityDocument,
  IdentityRule,
  LegalData,
  loadLegalData,
  OpenMatterReview,
  Purpose,
  RetentionFloor,
  RetentionRule,
  SubjectKind,
} from './legal-data';

/** Read-only access to the legal data in config/, loaded and validated once at start-up. */
@Injectable()
export class LegalDataService {
  private readonly data: LegalData;
  private readonly purposesByCode: Map<string, Purpose>;
  private readonly rulesByType: Map<string, RetentionRule>;

  constructor(config: ConfigService<Env, true>) {
    this.data = loadLegalData(config.get('LEGAL_CONFIG_DIR', { infer: true }));
    this.purposesByCode = new Map(this.data.purposes.map((p) => [p.code, p]));
    this.rulesByType = new Map(this.data.retentionRules.map((r) => [r.documentType, r]));
  }

  get purposes(): readonly Purpose[] {
    return this.data.purposes;
  }

  purpose(code: string): Purpose | undefined {
    return this.purposesByCode.get(code);
  }

  get retentionRules(): readonly RetentionRule[] {
    return this.data.retentionRules;
  }

  retentionRule(documentType: string): RetentionRule | undefined {
    return this.rulesByType.get(documentType);
  }

  get retentionFloors(): readonly RetentionFloor[] {
    return this.data.retentionFloors;
  }

  /** The post-leaving floor of a relationship kind, if one is configured. */
  retentionFloor(kind: SubjectKind): RetentionFloor | undefined {
    return this.data.retentionFloors.find((f) => f.relationship === kind);
  }

  get openMatterReview(): OpenMatterReview {
    return this.data.openMatterReview;
  }

  /** Label and basis of whatever set a due date: a document type, a floor code, or 'left'. */
  ruleInfo(code: string | null): { label: string; basis: string | null; period: string | null } | null {
    if (!code) return null;
    const rule = this.rulesByType.get(code);
    if (rule) return { label: rule.label, basis: rule.basis, period: rule.period };
    const floor = this.data.retentionFloors.find((f) => f.code === code);
    if (floor) return { label: floor.label, basis: floor.basis, period: floor.period };
    return null;
  }

  get handlingRules(): HandlingRules {
    return this.data.handlingRules;
  }

  identityDocument(code: string): IdentityDocument | undefined {
    return this.data.identityDocuments.find((d) => d.code === code);
  }

  get identityDocuments(): readonly IdentityDocument[] {
    return this.data.identityDocuments;
  }

  /** 身元確認: how many photo / non-photo documents prove the person (config/identity-documents.json `rule`). */
  get identityRule(): IdentityRule {
    return this.data.identityRule;
  }

  /** config/compliance.json: outside-firm checklist, breach-report rules (issue #19). */
  get compliance(): ComplianceData {
    return this.data.compliance;
  }

  get alertRules(): AlertRules {
    return this.data.alertRules;
  }
}
