// Auditors: the trail with filters, verify the hash chain, download the export (checkpoints) and
// the certificate, sign off a review, and the unusual-use alerts. Entries never hold a number.
import { api } from './api.js';
import { download, field, h, mount, say, statusLine, table, when } from './dom.js';
import { t } from './i18n.js';
import { purposeLabel } from './people.js';
import { errorText } from './errors.js';

export async function auditScreen(main, ctx) {
  const status = statusLine('audit-status');
  const actor = h('input', { 'data-test': 'audit-actor', placeholder: t('audit.actorHint') });
  const subject = h('input', { 'data-test': 'audit-subject', placeholder: 'uuid' });
  const purpose = h(
    'select',
    { 'data-test': 'audit-purpose' },
    h('option', { value: '' }, '—'),
    ctx.reference.purposes.map((p) => h('option', { value: p.code }, purposeLabel(ctx.reference, p.code))),
  );
  const action = h('input', { 'data-test': 'audit-action', placeholder: 'number.revealed', list: 'audit-actions' });
  const actions = h(
    'datalist',
    { id: 'audit-actions' },
    [
      'number.revealed',
      'number.reveal-refused',
      'number.bulk-retrieved',
      'number.exported',
      'number.stored',
      'number.disposed',
      'auth.login',
      'user.deactivated',
    ].map((a) => h('option', { value: a })),
  );
  const from = h('input', { type: 'date', 'data-test': 'audit-from' });
  const to = h('input', { type: 'date', 'data-test': 'audit-to' });
  const list = h('div', { class: 'list' });
  const verifyResult = h('p', { class: 'status', role: 'status', 'data-test': 'verify-result' });
  const witnessBox = h('div', { 'data-test': 'witness-status' });
  const reviewStatus = statusLine('review-status');
  const upTo = h('input', { type: 'number', min: 1, required: true, 'data-test': 'review-upto' });
  const note = h('input', { required: true, maxlength: 500, 'data-test': 'review-note' });
  const alertsBox = h('div', { 'data-test': 'alerts' });
  let cursor = null;

  mount(
    main,
    h(
      'section',
      { class: 'card', 'data-test': 'audit-screen' },
      h('h2', {}, t('audit.title')),
      h(
        'form',
        {
          class: 'filters',
          onsubmit: (e) => {
            e.preventDefault();
            load();
          },
        },
        field(t('audit.actor'), actor),
        field(t('audit.subject'), subject),
        field(t('audit.purpose'), purpose),
        field(t('audit.action'), action),
        actions,
        field(t('audit.from'), from),
        field(t('audit.to'), to),
        h('button', { type: 'submit', class: 'primary', 'data-test': 'audit-search' }, t('common.search')),
      ),
      status,
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
      { class: 'card', 'data-test': 'review-form', onsubmit: review },
      h('h2', {}, t('audit.review')),
      h('div', { class: 'row' }, field(t('audit.upTo'), upTo), field(t('audit.note'), note)),
      h('button', { type: 'submit', class: 'secondary', 'data-test': 'review-submit' }, t('audit.signOff')),
      reviewStatus,
    ),
    h('section', { class: 'card' }, h('h2', {}, t('audit.alerts')), alertsBox),
  );
  await Promise.all([load(), loadAlerts(), loadWitnesses()]);

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
      mount(witnessBox, h('p', { class: 'status', 'data-kind': 'error' }, error.message));
    }
  }

  function ageText(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 60) return t('audit.ageSeconds', { n: seconds });
    if (seconds < 3600) return t('audit.ageMinutes', { n: Math.floor(seconds / 60) });
    if (seconds < 86400) return t('audit.ageHours', { n: Math.floor(seconds / 3600) });
    return t('audit.ageDays', { n: Math.floor(seconds / 86400) });
  }

  async function load(more = false) {
    try {
      const query = {
        actor: actor.value.trim(),
        subject: subject.value.trim(),
        purpose: purpose.value.trim(),
        action: action.value.trim(),
        from: from.value ? new Date(`${from.value}T00:00:00+09:00`).toISOString() : undefined,
        to: to.value ? new Date(`${to.value}T24:00:00+09:00`).toISOString() : undefined,
        order: 'desc',
        limit: 100,
        cursor: more ? cursor : undefined,
      };
      const page = await api('GET', '/audit/entries', undefined, { query });
      cursor = page.nextCursor;
      if (!upTo.value && page.items.length) upTo.value = String(Math.max(...page.items.map((e) => Number(e.seq))));
      mount(
        list,
        page.items.length
          ? table(
              [
                { label: '#', cell: (e) => String(e.seq) },
                { label: t('audit.at'), cell: (e) => when(e.at) },
                { label: t('audit.actor'), cell: (e) => e.actorUsername ?? '—' },
                { label: t('audit.action'), cell: (e) => h('code', {}, e.action) },
                { label: t('audit.subject'), cell: (e) => (e.subjectId ? h('code', { class: 'id' }, e.subjectId) : '—') },
                { label: t('audit.purpose'), cell: (e) => (e.purpose ? h('span', { title: e.purpose }, purposeLabel(ctx.reference, e.purpose)) : '—') },
                { label: t('audit.outcome'), cell: (e) => e.outcome },
              ],
              page.items,
              'audit-table',
            )
          : h('p', {}, t('common.empty')),
        cursor ? h('button', { type: 'button', class: 'link', onclick: () => load(true) }, t('common.more')) : null,
      );
      say(status, '');
    } catch (error) {
      say(status, errorText(error), 'error');
    }
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
                { label: t('audit.actor'), cell: (a) => a.actorUsername ?? a.actor ?? '—' },
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
