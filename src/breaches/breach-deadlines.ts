import type { ComplianceData } from '@/config/compliance-data';

type Rules = ComplianceData['breachReport'];

/** What the person opening the incident says about it (the vault counts the people itself). */
export interface BreachFacts {
  /** When the company knew of it (発覚日時): the deadlines count from this. */
  discoveredAt: Date;
  affectedCount: number;
  unlawfulPurpose: boolean;
  publiclyViewable: boolean;
  systemLeak: boolean;
}

export interface BreachDuty {
  /** Whether the PPC report duty applies (番号法29条の4第1項, 報告規則第2条). */
  applies: boolean;
  /** The triggers of config/compliance.json that hold, each with its basis. */
  triggers: { code: string; label: string; basis: string }[];
  threshold: number;
}

export interface BreachDeadlines {
  /** The day the company knew, Japan time (YYYY-MM-DD). */
  discoveredOn: string;
  preliminary: { label: string; alarmAt: string; dueOn: string; dueAt: string; basis: string; note?: string };
  final: { label: string; days: number; alarmAt: string; dueOn: string; dueAt: string; basis: string; unlawfulPurpose: boolean };
  counting: { firstDayCounted: boolean; extendOverHolidays: boolean; basis: string; note?: string };
}

const JST_OFFSET_MS = 9 * 3600_000;
const DAY_MS = 86_400_000;

/** The calendar day (Japan time) of an instant, as YYYY-MM-DD. */
export function jstDay(at: Date): string {
  return new Date(at.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 00:00:00 Japan time of a day. */
function startOfDayJst(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00+09:00`));
}

/** 23:59:59.999 Japan time of a day. */
function endOfDayJst(day: string): Date {
  return new Date(startOfDayJst(day).getTime() + DAY_MS - 1);
}

/** Which triggers hold (over the threshold of people, unlawful purpose, publicly viewable, system leak). */
export function breachDuty(facts: BreachFacts, rules: Rules): BreachDuty {
  const holds: Record<string, boolean> = {
    'over-threshold': facts.affectedCount > rules.affectedPeopleThreshold,
    'unlawful-purpose': facts.unlawfulPurpose,
    'publicly-viewable': facts.publiclyViewable,
    'system-leak': facts.systemLeak,
  };
  const triggers = rules.triggers.filter((t) => holds[t.code] === true).map((t) => ({ code: t.code, label: t.label, basis: t.basis }));
  return { applies: triggers.length > 0, triggers, threshold: rules.affectedPeopleThreshold };
}

/**
 * The two deadlines of 報告規則第3条, counted in Japan-time calendar days from the day the company
 * knew: 速報 by the end of day `maxDays` (its alarm opens at the start of day `minDays`), 確報 by
 * the end of day 30 (60 when an unlawful purpose is suspected), its alarm `finalAlarmDaysBefore`
 * days earlier. With firstDayCounted false the day of discovery is day 0 (民法140条 初日不算入).
 */
export function breachDeadlines(facts: Pick<BreachFacts, 'discoveredAt' | 'unlawfulPurpose'>, rules: Rules, finalAlarmDaysBefore: number): BreachDeadlines {
  const counting = rules.deadlineCounting;
  const day0 = jstDay(facts.discoveredAt);
  const shift = counting.firstDayCounted ? -1 : 0;
  const dayN = (n: number) => addDays(day0, n + shift);
  const preDue = dayN(rules.preliminary.maxDays);
  const finalDays = facts.unlawfulPurpose ? rules.final.unlawfulPurposeDays : rules.final.days;
  const finalDue = dayN(finalDays);
  const finalAlarmDay = addDays(finalDue, -Math.min(finalAlarmDaysBefore, finalDays - 1));
  return {
    discoveredOn: day0,
    preliminary: {
      label: rules.preliminary.label,
      alarmAt: startOfDayJst(dayN(rules.preliminary.minDays)).toISOString(),
      dueOn: preDue,
      dueAt: endOfDayJst(preDue).toISOString(),
      basis: rules.preliminary.basis,
      ...(rules.preliminary.note ? { note: rules.preliminary.note } : {}),
    },
    final: {
      label: rules.final.label,
      days: finalDays,
      alarmAt: startOfDayJst(finalAlarmDay).toISOString(),
      dueOn: finalDue,
      dueAt: endOfDayJst(finalDue).toISOString(),
      basis: rules.final.basis,
      unlawfulPurpose: facts.unlawfulPurpose,
    },
    counting: {
      firstDayCounted: counting.firstDayCounted,
      extendOverHolidays: counting.extendOverHolidays,
      basis: counting.basis,
      ...(counting.note ? { note: counting.note } : {}),
    },
  };
}
