import { z } from 'zod';

/** config/compliance.json (issue #19): outside-firm supervision checklist and breach-report rules. */
const basisOnly = z.object({ code: z.string().regex(/^[a-z][a-z0-9-]*$/), label: z.string().min(1), basis: z.string().min(1), note: z.string().optional() });

export const complianceSchema = z.object({
  outsideFirmChecklist: z.object({ basis: z.string().min(1), items: z.array(basisOnly).min(1) }),
  breachReport: z.object({
    basis: z.string().min(1),
    note: z.string().optional(),
    affectedPeopleThreshold: z.number().int().positive(),
    triggers: z.array(basisOnly).min(1),
    preliminary: z.object({
      label: z.string(),
      minDays: z.number().int().positive(),
      maxDays: z.number().int().positive(),
      basis: z.string().min(1),
      note: z.string().optional(),
    }),
    final: z.object({ label: z.string(), days: z.number().int().positive(), unlawfulPurposeDays: z.number().int().positive(), basis: z.string().min(1) }),
    noticeBasis: z.string().min(1),
    deadlineCounting: z.object({
      firstDayCounted: z.boolean(),
      timeZone: z.literal('Asia/Tokyo'),
      extendOverHolidays: z.literal(false),
      basis: z.string().min(1),
      note: z.string().optional(),
    }),
    finalAlarmDaysBefore: z.object({ days: z.number().int().min(0), note: z.string().optional() }),
    reportItems: z.array(basisOnly).min(1),
    reportItemsNote: z.string().optional(),
    noticeItems: z.array(z.string()).min(1),
    noticeItemsNote: z.string().optional(),
  }),
});
export type ComplianceData = z.infer<typeof complianceSchema>;
