// Auditors: the trail as a Japanese office reads it (issue #22): actions, outcomes and purposes by
// their labels (codes only on hover), the actor and the person by name and code, a search by
// person, actor, action, outcome, purpose and dates, an entry's details, a CSV download (UTF-8 with
// BOM for Excel) and a print view of the filtered list. Then verify the hash chain, download the
// export (checkpoints) and the certificate, sign off a review, and the unusual-use alerts.
// Entries never hold a number, so nothing here can show one.
import { api } from './api.js';
import { download, field, h, mount, say, statusLine, table, when } from './dom.js';
import { has, t } from './i18n.js';
import { purposeLabel } from './people.js';
import { errorText } from './errors.js';
import { dateHint, dateInput, isoOf } from './dates.js';

/** The trail's actions (src/audit/audit-action.ts), in the order the search offers them, by group. */
export const AUDIT_ACTIONS = [
  'number.revealed',
  'number.reveal-refused',
  'number.bulk-retrieved',
  'number.exported',
  'number.stored',
  'number.corrected',
  'number.disposed',
  'number.keys-rewrapped',
  'subject.created',
  'subject.updated',
  'subject.purposes-notified',
  'subject.relationship-added',
  'subject.relationship-updated',
  'subject.number-requested',
  'filing.recorded',
  'filing.updated',
  'disposal.postponed',
  'disposal.batch-run',
  'disposal.refused',
  'disposal.early-requested',
  'disposal.early-approved',
  'disposal.early-rejected',
  'retention.review-confirmed',
  'retention.review-closed',
  'auth.login',
  'auth.login-failed',
  'auth.lockout',
  'auth.logout',
  'auth.totp-enrolled',
  'auth.totp-reset',
  'auth.recovery-used',
  'auth.step-up',
  'auth.password-changed',
  'user.created',
  'user.updated',
  'user.roles-changed',
  'user.roles-approved',
  'user.roles-declined',
  'user.sod-exception',
  'user.deactivated',
  'user.admin-handover',
  'user.training-acknowledged',
  'keys.rotated',
  'keys.retired',
  'keys.destroyed',
  'custody.enabled',
  'custody.rekeyed',
  'custody.share-collected',
  'custody.share-entered',
  'custody.share-refused',
  'custody.unsealed',
  'custody.disabled',
  'custody.rekey-required',
  'audit.review-signed',
  'audit.exported',
  'audit.verified',
  'audit.gap',
  'approval.policy-changed',
  'approval.requested',
  'approval.granted',
  'approval.declined',
  'approval.refused',
  'firm.registered',
  'firm.updated',
  'firm.checklist-updated',
  'firm.access-refused',
  'firm.key-registered',
  'collection.requested',
  'collection.reissued',
  'collection.cancelled',
  'collection.mailed',
  'collection.started',
  'collection.submitted',
  'collection.revealed',
  'collection.approved',
  'collection.returned',
  'collection.images-deleted',
  'collection.not-provided',
  'breach.opened',
  'breach.updated',
  'breach.affected-added',
  'breach.report-recorded',
  'breach.alarm-raised',
  'report.signed-off',
  'inventory.file-added',
  'inventory.file-updated',
  'network.allow-list-changed',
  'auth.address-refused',
];
/** "Who saw this person's number": every action that puts a number (or a submission's) before someone. */
export const SEEN_ACTIONS = ['number.revealed', 'number.bulk-retrieved', 'collection.revealed', 'number.exported'];
const GROUPS = [
  'number',
  'subject',
  'filing',
  'disposal',
  'retention',
  'auth',
  'user',
  'keys',
  'custody',
  'audit',
  'approval',
  'firm',
  'collection',
  'breach',
  'report',
  'inventory',
  'network',
];
const OUTCOMES = ['success', 'refused', 'failure'];
/** The CSV download reads at most this many entries (ten pages of the API's maximum). */
const CSV_MAX = 10000;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ROLE_KEYS = new Set(['roles', 'fromRoles', 'toRoles', 'pendingRoles']);

/** An action by its label; the code only on hover. */
export function actionLabel(code) {
  return has(`action.${code}`) ? t(`action.${code}`) : code;
}

function outcomeLabel(code) {
  return has(`outcome.${code}`) ? t(`outcome.${code}`) : code;
}

function actorText(e) {
  if (e.actorName) return e.actorName;
  return e.actorId ? (e.actorUsername ?? '—') : t('audit.system');
}

/** Names and usernames are not for translation (nor for the Japanese-screen check): translate="no". */
function actorCell(e) {
  if (e.actorName)
    return [h('span', { translate: 'no' }, e.actorName), e.actorUsername ? h('small', { class: 'sub', translate: 'no' }, e.actorUsername) : null];
  if (e.actorUsername) return h('span', { translate: 'no' }, e.actorUsername);
  return t('audit.system');
}

function personText(e) {
  if (e.subject) return `${e.subject.code} ${e.subject.name}`;
  return e.subjectId ? t('audit.subjectGone') : '';
}

export async function auditScreen(main, ctx) {
  const status = statusLine('audit-status');
  const person = h('input', { type: 'search', maxlength: 100, 'data-test': 'audit-person', placeholder: t('audit.personHint') });
  const actor = h('input', { type: 'search', maxlength: 100, 'data-test': 'audit-actor', placeholder: t('audit.actorHint2') });
  const purpose = h(
    'select',
    { 'data-test': 'audit-purpose' },
    h('option', { value: '' }, t('audit.anyPurpose')),
    ctx.reference.purposes.map((p) => h('option', { value: p.code }, purposeLabel(ctx.reference, p.code))),
  );
  const action = h(
    'select',
    { 'data-test': 'audit-action' },
    h('option', { value: '' }, t('audit.anyAction')),
    h('option', { value: SEEN_ACTIONS.join(',') }, t('audit.seenGroup')),
    GROUPS.map((g) =>
      h(
        'optgroup',
        { label: t(`audit.group.${g}`) },
        AUDIT_ACTIONS.filter((a) => a.startsWith(`${g}.`)).map((a) => h('option', { value: a, title: a }, actionLabel(a))),
      ),
    ),
  );
  const outcome = h(
    'select',
    { 'data-test': 'audit-outcome' },
    h('option', { value: '' }, t('audit.anyOutcome')),
    OUTCOMES.map((o) => h('option', { value: o }, outcomeLabel(o))),
  );
  // 年/月/日 in Japanese whatever the browser's locale (dates.js)
  const from = dateInput({ 'data-test': 'audit-from' });
  const to = dateInput({ 'data-test': 'audit-to' });
  const count = h('p', { class: 'hint', 'data-test': 'audit-count' });
  const printSummary = h('div', { class: 'print-only', 'data-test': 'audit-print-summary' });
  const list = h('div', { class: 'list' });
  const verifyResult = h('p', { class: 'status', role: 'status', 'data-test': 'verify-result' });
  const witnessBox = h('div', { 'data-test': 'witness-status' });
  const reviewStatus = statusLine('review-status');
  const upTo = h('input', { type: 'number', min: 1, required: true, 'data-test': 'review-upto' });
  const note = h('input', { required: true, maxlength: 500, 'data-test': 'review-note' });
  const alertsBox = h('div', { 'data-test': 'alerts' });
  let cursor = null;
  let shown = [];
  let filters = {};
  let days = { from: '', to: '' };

  mount(
    main,
    h(
      'div',
      { class: 'card audit-log', 'data-test': 'audit-screen' },
      h('h2', {}, t('audit.title')),
      printSummary,
      h(
        'form',
        {
          class: 'filters no-print',
          'data-test': 'audit-filters',
          onsubmit: (e) => {
            e.preventDefault();
            load();
          },
        },
        field(t('audit.person'), person),
        field(t('audit.actor'), actor),
        field(t('audit.action'), action),
        field(t('audit.outcome'), outcome),
        field(t('audit.purpose'), purpose),
        field(t('audit.from'), from, dateHint()),
        field(t('audit.to'), to),
        h('button', { type: 'submit', class: 'primary', 'data-test': 'audit-search' }, t('common.search')),
        h('button', { type: 'button', class: 'link', 'data-test': 'audit-clear', onclick: clear }, t('audit.clear')),
      ),
      status,
      h(
        'div',
        { class: 'actions no-print' },
        count,
        h('button', { type: 'button', class: 'secondary', 'data-test': 'audit-csv', onclick: csv }, t('audit.csv')),
        h('button', { type: 'button', class: 'secondary', 'data-test': 'audit-print', onclick: print }, t('audit.print')),
      ),
      list,
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, t('audit.integrity')),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'data-test': 'verify', onclick: verify }, t('audit.verify')),
        h('button', { type: 'button', class: 'secondary', 'data-test': 'export', onclick: exportTrail }, t('audit.export')),
        h('button', { type: 'button', class: 'secondary', 'data-test': 'certificate', onclick: certificate }, t('audit.certificate')),
      ),
      verifyResult,
      witnessBox,
    ),
    h(
      'form',
      { class: 'card no-print', 'data-test': 'review-form', onsubmit: review },
      h('h2', {}, t('audit.review')),
      h('div', { class: 'row' }, field(t('audit.upTo'), upTo), field(t('audit.note'), note)),
      h('button', { type: 'submit', class: 'secondary', 'data-test': 'review-submit' }, t('audit.signOff')),
      reviewStatus,
    ),
    h('section', { class: 'card' }, h('h2', {}, t('audit.alerts')), alertsBox),
  );
  await Promise.all([load(), loadAlerts(), loadWitnesses()]);

  function clear() {
    for (const el of [person, actor, from, to]) el.value = '';
    for (const el of [purpose, action, outcome]) el.value = '';
    load();
  }

  /** The filters as the API takes them (dates are whole days in Japan time); null when a date cannot be read. */
  function query() {
    const fromDay = isoOf(from);
    const toDay = isoOf(to);
    if (fromDay === undefined || toDay === undefined) return null;
    days = { from: fromDay ?? '', to: toDay ?? '' };
    return {
      person: person.value.trim(),
      actor: actor.value.trim(),
      purpose: purpose.value,
      action: action.value,
      outcome: outcome.value,
      from: fromDay ? new Date(`${fromDay}T00:00:00+09:00`).toISOString() : undefined,
      to: toDay ? new Date(`${toDay}T24:00:00+09:00`).toISOString() : undefined,
      order: 'desc',
    };
  }

  /** The filters of the list shown (not what the form holds now), in words, for the print view. */
  function filterWords() {
    const words = [];
    if (filters.person) words.push(`${t('audit.person')}「${filters.person}」`);
    if (filters.actor) words.push(`${t('audit.actor')}「${filters.actor}」`);
    if (filters.action) words.push(`${t('audit.action')}：${filters.action.includes(',') ? t('audit.seenGroup') : actionLabel(filters.action)}`);
    if (filters.outcome) words.push(`${t('audit.outcome')}：${outcomeLabel(filters.outcome)}`);
    if (filters.purpose) words.push(`${t('audit.purpose')}：${purposeLabel(ctx.reference, filters.purpose)}`);
    if (days.from || days.to) words.push(`${days.from.replaceAll('-', '/')} ～ ${days.to.replaceAll('-', '/')}`);
    return words;
  }

  async function load(more = false) {
    try {
      if (!more) {
        const next = query();
        if (!next) return say(status, t('date.invalid'), 'error');
        filters = next;
      }
      const page = await api('GET', '/audit/entries', undefined, { query: { ...filters, limit: 100, cursor: more ? cursor : undefined } });
      cursor = page.nextCursor;
      shown = more ? [...shown, ...page.items] : page.items;
      if (!upTo.value && shown.length) upTo.value = String(Math.max(...shown.map((e) => Number(e.seq))));
      count.textContent = cursor ? t('audit.countMore', { n: shown.length }) : t('audit.count', { n: shown.length });
      summarise();
      mount(
        list,
        shown.length ? entriesTable(shown) : h('p', {}, t('common.empty')),
        cursor ? h('button', { type: 'button', class: 'link no-print', 'data-test': 'audit-more', onclick: () => load(true) }, t('common.more')) : null,
      );
      say(status, '');
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  function entriesTable(items) {
    const head = [t('audit.seq'), t('audit.at'), t('audit.action'), t('audit.actor'), t('audit.subject'), t('audit.purpose'), t('audit.outcome')];
    return h(
      'table',
      { class: 'grid audit-table', 'data-test': 'audit-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          head.map((label) => h('th', { scope: 'col' }, label)),
          h('th', { scope: 'col', class: 'no-print' }, t('audit.details')),
        ),
      ),
      h(
        'tbody',
        {},
        items.map((e) =>
          h(
            'tr',
            { 'data-seq': e.seq, 'data-outcome': e.outcome },
            h('td', {}, String(e.seq)),
            h('td', { class: 'nowrap' }, when(e.at)),
            h('td', { title: e.action }, actionLabel(e.action)),
            h('td', {}, actorCell(e)),
            h(
              'td',
              {},
              e.subject
                ? [h('span', { translate: 'no' }, e.subject.code), ' ', h('span', { translate: 'no' }, e.subject.name)]
                : e.subjectId
                  ? h('span', { title: e.subjectId }, t('audit.subjectGone'))
                  : '—',
            ),
            h('td', { title: e.purpose ?? '' }, e.purpose ? purposeLabel(ctx.reference, e.purpose) : '—'),
            h('td', { class: `outcome ${e.outcome}`, title: e.outcome }, outcomeLabel(e.outcome)),
            h(
              'td',
              { class: 'no-print' },
              h('button', { type: 'button', class: 'link', 'data-test': `audit-details-${e.seq}`, onclick: () => details(e) }, t('audit.details')),
            ),
          ),
        ),
      ),
    );
  }

  /** One entry, every field in words; technical values (ids, addresses, the hash) as they are. */
  function details(e) {
    const rows = [
      [t('audit.seq'), String(e.seq)],
      [t('audit.at'), when(e.at)],
      [t('audit.action'), h('span', { title: e.action }, actionLabel(e.action))],
      [t('audit.outcome'), h('span', { title: e.outcome }, outcomeLabel(e.outcome))],
      [t('audit.actor'), e.actorName ? h('span', { translate: 'no' }, e.actorName) : actorCell(e)],
      [t('audit.actorUsername'), e.actorUsername ? h('code', { translate: 'no' }, e.actorUsername) : '—'],
      [t('audit.actorRoles'), e.actorRoles?.length ? e.actorRoles.map((r) => t(`role.${r}`)).join('、') : '—'],
      [
        t('audit.subject'),
        e.subject
          ? [h('span', { translate: 'no' }, e.subject.code), ' ', h('span', { translate: 'no' }, e.subject.name), `（${t(`kind.${e.subject.kind}`)}）`]
          : e.subjectId
            ? t('audit.subjectGone')
            : '—',
      ],
      [t('audit.purpose'), e.purpose ? purposeLabel(ctx.reference, e.purpose) : '—'],
      [t('audit.requestId'), e.requestId ? h('code', { translate: 'no' }, e.requestId) : '—'],
      [t('audit.clientAddress'), e.clientAddress ? h('code', { translate: 'no' }, e.clientAddress) : '—'],
      [t('audit.hash'), e.hash ? h('code', { class: 'id', translate: 'no' }, e.hash) : t('audit.unsealed')],
    ];
    const extra = Object.entries(e.details && typeof e.details === 'object' ? e.details : {});
    const dialog = h('dialog', { class: 'card audit-details', 'data-test': 'audit-details' });
    const close = () => {
      dialog.close();
      dialog.remove();
    };
    mount(
      dialog,
      h('h2', {}, t('audit.detailsTitle', { seq: e.seq })),
      h(
        'dl',
        { class: 'facts' },
        rows.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]),
        extra.map(([key, value]) => [
          h('dt', {}, has(`audit.detailKey.${key}`) ? t(`audit.detailKey.${key}`) : h('code', { translate: 'no', title: t('audit.otherKey') }, key)),
          h('dd', {}, detailValue(key, value)),
        ]),
      ),
      extra.length ? null : h('p', { class: 'hint' }, t('audit.noDetails')),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', 'data-test': 'audit-details-close', onclick: close }, t('common.done'))),
    );
    dialog.addEventListener('cancel', close);
    document.body.append(dialog);
    dialog.showModal();
  }

  function detailValue(key, value) {
    if (value === null || value === undefined || value === '') return '—';
    if (typeof value === 'boolean') return t(value ? 'audit.yes' : 'audit.no');
    if (typeof value === 'number') return String(value);
    if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) {
      if (key === 'purposes') return value.map((p) => purposeLabel(ctx.reference, p)).join('、');
      if (ROLE_KEYS.has(key)) return value.map((r) => (has(`role.${r}`) ? t(`role.${r}`) : r)).join('、') || '—';
      return h('code', { translate: 'no' }, value.join(', '));
    }
    if (typeof value === 'string') {
      if (ISO_TIME.test(value)) return when(value);
      if (key === 'purpose') return purposeLabel(ctx.reference, value);
      if (key === 'kind' && has(`kind.${value}`)) return t(`kind.${value}`);
      return h('code', { translate: 'no' }, value);
    }
    return h('code', { translate: 'no' }, JSON.stringify(value));
  }

  /** The filtered list (every page, up to CSV_MAX) as CSV for Excel: UTF-8 with BOM, CRLF; labels, names and codes, never a number. */
  async function csv() {
    say(status, t('common.working'));
    try {
      const items = [];
      let next;
      do {
        const page = await api('GET', '/audit/entries', undefined, { query: { ...filters, limit: 1000, cursor: next } });
        items.push(...page.items);
        next = page.nextCursor;
        if (next && items.length >= CSV_MAX) {
          say(status, t('audit.csvTooMany', { max: CSV_MAX }), 'error');
          return;
        }
      } while (next);
      const columns = [
        ['audit.csv.seq', (e) => e.seq],
        ['audit.csv.at', (e) => when(e.at)],
        ['audit.csv.action', (e) => actionLabel(e.action)],
        ['audit.csv.actionCode', (e) => e.action],
        ['audit.csv.outcome', (e) => outcomeLabel(e.outcome)],
        ['audit.csv.actorName', (e) => actorText(e)],
        ['audit.csv.actorUsername', (e) => e.actorUsername ?? ''],
        ['audit.csv.subjectCode', (e) => e.subject?.code ?? ''],
        ['audit.csv.subjectName', (e) => (e.subject ? e.subject.name : personText(e))],
        ['audit.csv.subjectKind', (e) => (e.subject ? t(`kind.${e.subject.kind}`) : '')],
        ['audit.csv.purpose', (e) => (e.purpose ? purposeLabel(ctx.reference, e.purpose) : '')],
      ];
      const lines = [columns.map(([key]) => csvCell(t(key))).join(',')];
      for (const e of items) lines.push(columns.map(([, cell]) => csvCell(cell(e))).join(','));
      const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
      download(new Blob(['\uFEFF', lines.join('\r\n'), '\r\n'], { type: 'text/csv;charset=utf-8' }), `audit-log-${stamp}.csv`);
      say(status, t('audit.csvDone', { n: items.length }), 'ok');
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  /** The print view's heading: the filters of the list shown, in words, and who prints it when. */
  function summarise() {
    const words = filterWords();
    mount(
      printSummary,
      h('p', {}, words.length ? t('audit.printFilters', { filters: words.join('、') }) : t('audit.printNoFilters')),
      h('p', {}, t('audit.printedAt', { at: when(new Date().toISOString()), who: ctx.me.displayName })),
    );
  }

  function print() {
    summarise();
    say(status, '');
    window.print();
  }

  /** The newest witnessed tree head, its age, and a warning for a witness that stopped accepting heads (issue #17). */
  async function loadWitnesses() {
    try {
      const w = await api('GET', '/audit/witnesses');
      const lines = [];
      lines.push(
        h(
          'p',
          { 'data-test': 'witness-latest' },
          w.latestWitnessed
            ? t('audit.witnessLatest', {
                size: w.latestWitnessed.treeSize,
                age: ageText(w.latestWitnessed.ageSeconds),
                root: w.latestWitnessed.rootHash.slice(0, 16),
              })
            : t('audit.witnessNone'),
        ),
      );
      if (w.treeHead) lines.push(h('p', {}, t('audit.treeHead', { size: w.treeHead.treeSize, root: w.treeHead.rootHash.slice(0, 16) })));
      if (w.witnesses.length === 0)
        lines.push(h('p', { class: 'status', 'data-kind': 'error', role: 'alert', 'data-test': 'witness-warning' }, t('audit.witnessNotConfigured')));
      for (const one of w.witnesses) {
        const name = t(`audit.witness.${one.witness}`);
        lines.push(
          h(
            'p',
            { class: 'status', 'data-kind': one.stale ? 'error' : 'ok', ...(one.stale ? { role: 'alert', 'data-test': 'witness-warning' } : {}) },
            one.stale
              ? one.lastAcceptedAt
                ? t('audit.witnessStale', { name, age: ageText(one.ageSeconds), minutes: w.staleAfterMinutes })
                : t('audit.witnessNever', { name })
              : t('audit.witnessOk', { name, age: ageText(one.ageSeconds) }),
          ),
        );
      }
      mount(witnessBox, h('h3', {}, t('audit.witnesses')), ...lines);
    } catch (error) {
      mount(witnessBox, h('p', { class: 'status', 'data-kind': 'error' }, errorText(error)));
    }
  }

  function ageText(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 60) return t('audit.ageSeconds', { n: seconds });
    if (seconds < 3600) return t('audit.ageMinutes', { n: Math.floor(seconds / 60) });
    if (seconds < 86400) return t('audit.ageHours', { n: Math.floor(seconds / 3600) });
    return t('audit.ageDays', { n: Math.floor(seconds / 86400) });
  }

  async function verify() {
    say(verifyResult, t('common.working'));
    try {
      const r = await api('POST', '/audit/verify');
      verifyResult.dataset.ok = String(r.ok);
      say(
        verifyResult,
        r.ok
          ? t('audit.intact', { entries: r.entriesChecked, checkpoints: r.checkpointsChecked }) +
              (r.witnessedHead ? ' ' + t('audit.intactWitnessed', { size: r.witnessedHead.treeSize }) : ' ' + t('audit.noWitnessedHead'))
          : t('audit.broken', { seq: r.firstBadSeq ?? '?', reason: r.reason ?? '' }),
        r.ok ? 'ok' : 'error',
      );
      void loadWitnesses();
    } catch (error) {
      say(verifyResult, errorText(error), 'error');
    }
  }

  async function exportTrail() {
    try {
      const res = await api('GET', '/audit/export', undefined, { raw: true, accept: 'application/x-ndjson' });
      const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? 'audit.ndjson';
      download(await res.blob(), name);
    } catch (error) {
      say(verifyResult, errorText(error), 'error');
    }
  }

  async function certificate() {
    try {
      const res = await api('GET', '/audit/certificate', undefined, { raw: true, accept: 'application/x-pem-file' });
      download(await res.blob(), 'audit-certificate.pem');
    } catch (error) {
      say(verifyResult, errorText(error), 'error');
    }
  }

  async function review(e) {
    e.preventDefault();
    try {
      await api('POST', '/audit/reviews', { upToSeq: Number(upTo.value), note: note.value.trim() });
      note.value = '';
      say(reviewStatus, t('audit.signed', { seq: upTo.value }), 'ok');
    } catch (error) {
      say(reviewStatus, errorText(error), 'error');
    }
  }

  async function loadAlerts() {
    try {
      const answer = await api('GET', '/audit/alerts');
      const items = answer.items ?? [];
      mount(
        alertsBox,
        items.length
          ? table(
              [
                { label: t('audit.alertKind'), cell: (a) => t(`alert.${a.type}`) },
                { label: t('audit.actor'), cell: (a) => h('span', { translate: 'no' }, a.actorUsername ?? a.actorId ?? '—') },
                { label: t('audit.at'), cell: (a) => `${when(a.from)} – ${when(a.to)}` },
                { label: t('audit.detail'), cell: (a) => `${a.count}${a.limit !== null ? ` / ${a.limit}` : ''} · #${a.firstSeq}–${a.lastSeq}` },
              ],
              items,
              'alerts-table',
            )
          : h('p', { 'data-test': 'no-alerts' }, t('audit.noAlerts')),
      );
    } catch (error) {
      mount(alertsBox, h('p', { class: 'status', 'data-kind': 'error' }, errorText(error)));
    }
  }
}

/** One CSV cell: always quoted; a leading = + - @ is defused for spreadsheets; a number-like digit run never leaves. */
export function csvCell(value) {
  let text = String(value ?? '').replace(/[0-9０-９](?:[\s\-－]?[0-9０-９]){11}/g, '************');
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}
