// Clerks: year-end bulk retrieval for one purpose, downloaded as CSV (one audit entry per person).
// The file goes straight from the response to a download; the page shows only the counts.
import { api } from './api.js';
import { download, field, h, mount, say, statusLine } from './dom.js';
import { t } from './i18n.js';
import { purposeLabel } from './people.js';
import { errorText } from './errors.js';

export function bulkScreen(main, ctx) {
  const status = statusLine('bulk-status');
  const purpose = h(
    'select',
    { 'data-test': 'bulk-purpose' },
    ctx.reference.purposes.map((p) => h('option', { value: p.code }, purposeLabel(ctx.reference, p.code))),
  );
  const kind = h(
    'select',
    { 'data-test': 'bulk-kind' },
    h('option', { value: '' }, t('people.allKinds')),
    ['employee', 'dependent', 'payee'].map((k) => h('option', { value: k }, t(`kind.${k}`))),
  );
  const year = h('input', { type: 'number', min: 2015, max: 2100, value: String(new Date().getFullYear()), 'data-test': 'bulk-year' });
  const q = h('input', { type: 'search', placeholder: t('people.searchHint'), 'data-test': 'bulk-q' });

  /** With a keyword: the ids of every matching person (all pages of GET /subjects), else undefined. */
  async function selectedIds() {
    if (!q.value.trim()) return undefined;
    const ids = [];
    let cursor;
    do {
      const page = await api('GET', '/subjects', undefined, { query: { q: q.value.trim(), kind: kind.value, cursor } });
      ids.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor && ids.length < 100000);
    return ids;
  }

  async function run(e) {
    e.preventDefault();
    say(status, t('common.working'));
    try {
      const body = { purpose: purpose.value };
      const ids = await selectedIds();
      if (ids) {
        if (!ids.length) return say(status, t('common.empty'), 'warn');
        body.subjectIds = ids;
      } else {
        if (kind.value) body.kind = kind.value;
        if (year.value) body.activeInYear = Number(year.value);
      }
      const res = await ctx.stepUp.withStepUp(() => api('POST', '/reveals', body, { accept: 'text/csv', raw: true }));
      if (!res) return say(status, t('stepup.cancelled'), 'warn');
      const blob = await res.blob();
      const tail = (await blob.slice(Math.max(0, blob.size - 400)).text()).split(/\r?\n/).filter(Boolean).pop() ?? '';
      const summary = /^#summary,rows=(\d+),skipped=(\d+)/.exec(tail);
      download(blob, `my-number-${body.purpose}-${body.activeInYear ?? 'all'}.csv`);
      say(status, summary ? t('bulk.done', { rows: summary[1], skipped: summary[2] }) : t('bulk.downloaded'), 'ok');
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  mount(
    main,
    h(
      'form',
      { class: 'card', 'data-test': 'bulk-screen', onsubmit: run },
      h('h2', {}, t('bulk.title')),
      h('p', { class: 'hint' }, t('bulk.explain')),
      h(
        'div',
        { class: 'row' },
        field(t('reveal.purpose'), purpose),
        field(t('people.kind'), kind),
        field(t('bulk.year'), year),
        field(t('bulk.q'), q, t('bulk.qHint')),
      ),
      h('button', { type: 'submit', class: 'danger', 'data-test': 'bulk-submit' }, t('bulk.submit')),
      status,
    ),
  );
}
