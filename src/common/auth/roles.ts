/**
 * `responsible`: 事務取扱責任者 (issue #19), distinct from admin: approves disposals, new clerks and
 * outside-firm accounts (four eyes) and signs off the monthly handling check.
 */
export const ROLES = ['clerk', 'auditor', 'admin', 'responsible'] as const;
export type Role = (typeof ROLES)[number];
