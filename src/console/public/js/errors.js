// Error answers in words: the server's stable code (src/common/http/error-codes.ts) mapped to the
// dictionary (`error.<code>`), Japanese first. The server's English `message` is never shown.
import { ApiError } from './api.js';
import { has, t } from './i18n.js';

const FIELD_LABELS = {
  username: 'staff.username',
  displayName: 'staff.displayName',
  roles: 'account.roles',
  reason: 'staff.reason',
  password: 'login.password',
  newPassword: 'pw.new',
  currentPassword: 'pw.current',
  code: 'people.code',
  name: 'people.name',
  nameKana: 'people.kana',
  kind: 'people.kind',
  employeeId: 'people.employee',
  hiredAt: 'people.hiredAt',
  leftAt: 'people.leftAt',
  number: 'number.input',
  numberDocument: 'number.numberDocument',
  identityDocuments: 'number.identityDocuments',
  checkedAt: 'number.checkedAt',
  purpose: 'reveal.purpose',
  purposes: 'purposes.title',
  notifiedAt: 'purposes.at',
  until: 'alarm.until',
  note: 'disposal.note',
  upToSeq: 'audit.upTo',
  from: 'audit.from',
  to: 'audit.to',
  // the audit log's search (issue #22)
  person: 'audit.person',
  actor: 'audit.actor',
  action: 'audit.action',
  outcome: 'audit.outcome',
  subject: 'audit.subject',
};

/** A field path (`identityCheck.checkedAt`) as the label the form shows, else the path itself. */
function fieldLabel(path) {
  const last = String(path)
    .split('.')
    .pop()
    .replace(/\[\d+\]$/, '');
  return FIELD_LABELS[last] ? t(FIELD_LABELS[last]) : String(path);
}

/** The text for an error: a coded API answer in the current language, else a generic line. */
export function errorText(error) {
  if (!(error instanceof ApiError)) return t('error.network');
  const params = { ...(error.body?.params ?? {}), correlationId: error.body?.correlationId ?? '', status: error.status };
  if (error.code === 'validation.failed') {
    const fields = [...new Set((error.body?.fields ?? []).map((f) => fieldLabel(f.field)))];
    params.fields = fields.join(t('error.field.separator'));
  }
  if (has(`error.${error.code}`)) return t(`error.${error.code}`, params);
  if (has(`error.http.${error.status}`)) return t(`error.http.${error.status}`, params);
  return t('error.unknown', params);
}
