import { readFileSync } from 'node:fs';
import { ComplianceData, complianceSchema } from './compliance-data';
import { join } from 'node:path';
import { z } from 'zod';

export const SUBJECT_KINDS = ['employee', 'dependent', 'payee'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

const purposeSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9-]{1,48}$/),
  label: z.string().min(1),
  labelEn: z.string().min(1),
  kinds: z.array(z.enum(SUBJECT_KINDS)).min(1),
  basis: z.string().min(1),
});

export const RETENTION_STARTS = ['after-january-10-following-deadline-year', 'after-filing-deadline', 'matter-closed'] as const;
export type RetentionStart = (typeof RETENTION_STARTS)[number];

/** Whether a period is set by law or chosen by the company (then it is a setting: change it here). */
export const PERIOD_KINDS = ['law', 'company-choice'] as const;

const retentionRuleSchema = z
  .object({
    documentType: z.string().regex(/^[a-z][a-z0-9-]{1,48}$/),
    label: z.string().min(1),
    years: z.number().int().min(1).max(50),
    start: z.enum(RETENTION_STARTS),
    /** Where the filing deadline lies relative to the document's 年分 (tax year). */
    deadline: z
      .object({
        yearsAfterTaxYear: z.number().int().min(0).max(2),
        month: z.number().int().min(1).max(12).optional(),
        day: z.number().int().min(1).max(31).optional(),
      })
      .optional(),
    /** In words: how the retention start follows from the 年分 (shown to clerks, in docs). */
    startFromTaxYear: z.string().min(1),
    period: z.enum(PERIOD_KINDS),
    basis: z.string().min(1),
  })
  .superRefine((r, ctx) => {
    if (r.start !== 'matter-closed' && !r.deadline)
      ctx.addIssue({ code: 'custom', path: ['deadline'], message: `${r.start} needs deadline.yearsAfterTaxYear` });
    if (r.start === 'after-filing-deadline' && (!r.deadline?.month || !r.deadline?.day)) {
      ctx.addIssue({ code: 'custom', path: ['deadline'], message: 'after-filing-deadline needs deadline.month and deadline.day' });
    }
  });

const floorSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9-]{1,48}$/),
  relationship: z.enum(SUBJECT_KINDS),
  label: z.string().min(1),
  deadline: z.object({ yearsAfterEnd: z.number().int().min(0).max(2), month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31) }),
  covers: z.array(z.object({ document: z.string().min(1), deadline: z.string().min(1), basis: z.string().min(1) })).min(1),
  period: z.enum(PERIOD_KINDS),
  basis: z.string().min(1),
});

const floorsFileSchema = z.object({
  floors: z.array(floorSchema).min(1),
  openMatterReview: z.object({
    reviewAfterLeavingMonths: z.number().int().min(1).max(120),
    repeatEveryMonths: z.number().int().min(1).max(120),
    period: z.enum(PERIOD_KINDS),
    basis: z.string().min(1),
  }),
});

const ruleTextSchema = z.object({ title: z.string().min(1), text: z.array(z.string().min(1)).min(1) });

const handlingRulesSchema = z.object({
  version: z.string().min(1),
  /** The clerks' rules (they handle numbers). */
  title: z.string().min(1),
  text: z.array(z.string().min(1)).min(1),
  /** Rules for roles that never see a number (issue #22): each is shown only its own. */
  roles: z.object({ auditor: ruleTextSchema.optional(), admin: ruleTextSchema.optional() }).optional(),
});

const alertRulesSchema = z.object({
  maxRevealsPerHour: z.number().int().min(1),
  workingHours: z.object({
    timezone: z.string().min(1),
    start: z.string().regex(/^\d{2}:\d{2}$/),
    end: z.string().regex(/^\d{2}:\d{2}$/),
    weekdaysOnly: z.boolean(),
  }),
  maxRefusedRevealsPerHour: z.number().int().min(1),
});

const identityDocumentSchema = z.object({
  code: z.string().regex(/^[a-z][a-z0-9-]{1,48}$/),
  label: z.string().min(1),
  numberProof: z.boolean(),
  identityProof: z.enum(['both', 'photo', 'non-photo', 'none']),
  validUntil: z.string().optional(),
  note: z.string().optional(),
});

const identityRuleSchema = z.object({ photo: z.number().int().min(1), nonPhoto: z.number().int().min(1) });

export type IdentityDocument = z.infer<typeof identityDocumentSchema>;
/** How many photo / non-photo identity documents prove the person (config/identity-documents.json `rule`). */
export type IdentityRule = z.infer<typeof identityRuleSchema>;
export type Purpose = z.infer<typeof purposeSchema>;
export type RetentionRule = z.infer<typeof retentionRuleSchema>;
export type HandlingRules = z.infer<typeof handlingRulesSchema>;
export type AlertRules = z.infer<typeof alertRulesSchema>;
export type RetentionFloor = z.infer<typeof floorSchema>;
export type OpenMatterReview = z.infer<typeof floorsFileSchema>['openMatterReview'];

export interface LegalData {
  /** config/compliance.json (issue #19). */
  compliance: ComplianceData;
  purposes: Purpose[];
  retentionRules: RetentionRule[];
  /** The post-leaving floor per relationship (config/retention-floors.json). */
  retentionFloors: RetentionFloor[];
  openMatterReview: OpenMatterReview;
  handlingRules: HandlingRules;
  alertRules: AlertRules;
  identityDocuments: IdentityDocument[];
  identityRule: IdentityRule;
}

function unique<T>(items: T[], key: (item: T) => string, what: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) throw new Error(`${what} "${k}" is defined twice`);
    seen.add(k);
  }
}

function readJson(dir: string, file: string): unknown {
  try {
    return JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read legal data ${join(dir, file)}: ${(error as Error).message}`, { cause: error });
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid legal data in ${file}:\n${problems}`);
  }
  return result.data;
}

/** Loads and validates config/*.json; throws with the file and field on any problem. */
export function loadLegalData(dir: string): LegalData {
  const purposes = parse(z.object({ purposes: z.array(purposeSchema).min(1) }), readJson(dir, 'purposes.json'), 'purposes.json').purposes;
  const retentionRules = parse(z.object({ rules: z.array(retentionRuleSchema).min(1) }), readJson(dir, 'retention-rules.json'), 'retention-rules.json').rules;
  const floorsFile = parse(floorsFileSchema, readJson(dir, 'retention-floors.json'), 'retention-floors.json');
  unique(floorsFile.floors, (f) => f.relationship, 'retention floor for relationship');
  const handlingRules = parse(handlingRulesSchema, readJson(dir, 'handling-rules.json'), 'handling-rules.json');
  const alertRules = parse(alertRulesSchema, readJson(dir, 'alerts.json'), 'alerts.json');
  const identityFile = parse(
    z.object({ documents: z.array(identityDocumentSchema).min(1), rule: identityRuleSchema.optional() }),
    readJson(dir, 'identity-documents.json'),
    'identity-documents.json',
  );
  const identityDocuments = identityFile.documents;
  unique(identityDocuments, (d) => d.code, 'identity document');
  unique(purposes, (p) => p.code, 'purpose');
  unique(retentionRules, (r) => r.documentType, 'retention rule');
  const compliance = parse(complianceSchema, readJson(dir, 'compliance.json'), 'compliance.json');
  unique(compliance.outsideFirmChecklist.items, (i) => i.code, 'outside-firm checklist item');
  unique(compliance.breachReport.triggers, (t) => t.code, 'breach-report trigger');
  unique(compliance.breachReport.reportItems, (t) => t.code, 'breach-report item');
  for (const code of compliance.breachReport.noticeItems) {
    if (!compliance.breachReport.reportItems.some((i) => i.code === code)) throw new Error(`compliance.json: notice item ${code} is not a report item`);
  }
  const codes = new Set(retentionRules.map((r) => r.documentType));
  for (const f of floorsFile.floors) if (codes.has(f.code)) throw new Error(`retention floor "${f.code}" has the code of a retention rule`);
  return {
    purposes,
    retentionRules,
    retentionFloors: floorsFile.floors,
    openMatterReview: floorsFile.openMatterReview,
    handlingRules,
    alertRules,
    identityDocuments,
    identityRule: identityFile.rule ?? { photo: 1, nonPhoto: 2 },
    compliance,
  };
}
