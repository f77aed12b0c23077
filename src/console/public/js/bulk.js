// Clerks: year-end bulk retrieval for one purpose, downloaded as CSV (one audit entry per person).
// The file goes straight from the response to a download; the page shows only the counts.
// Issue #19: or encrypted with a one-time passphrase the server makes and answers once (shown here
// until the next retrieval, to be told to the recipient by another channel); an outside firm's
// account always gets its file encrypted for the firm's key (the name comes from the answer).
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
  const recipient = h('select', { 'data-test': 'bulk-recipient' }, h('option', { value: '' }, t('bulk.inside')));
  const encryption = h('select', { 'data-test': 'bulk-encryption' });
  let firms = [];
  /** The ways the file can leave: inside the company plain or with a passphrase; to a firm for its keys or with a passphrase. */
  function encryptionChoices() {
    const firm = firms.find((f) => f.id === recipient.value);
    const choices = firm ? [...firm.keys, 'passphrase'] : ['', 'passphrase'];
    encryption.replaceChildren(...choices.map((c) => h('option', { value: c }, t(`bulk.encryption.${c || 'none'}`))));
  }
  recipient.addEventListener('change', encryptionChoices);
  encryptionChoices();
  // the firms an export can be handed to (提供); none listed: inside the company only
  api('GET', '/firms/recipients')
    .then((answer) => {
      firms = answer.items;
      recipient.append(...firms.map((f) => h('option', { value: f.id }, t('bulk.toFirm', { name: f.name }))));
    })
    .catch(() => undefined);
  const passphraseBox = h('div', { class: 'card', hidden: true, 'data-test': 'bulk-passphrase-box' });

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
    passphraseBox.hidden = true;
    mount(passphraseBox);
    try {
      const body = { purpose: purpose.value };
      if (recipient.value) body.recipientFirmId = recipient.value;
      if (encryption.value) body.encryption = encryption.value;
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
      if (body.encryption === 'passphrase') return showPassphrase(await res.json());
      const named = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1];
      if (named && !named.endsWith('.csv')) {
        // encrypted for an outside firm's key: no summary to read
        download(await res.blob(), named);
        return say(status, t('bulk.encryptedForFirm', { file: named }), 'ok');
      }
      const blob = await res.blob();
      const tail = (await blob.slice(Math.max(0, blob.size - 400)).text()).split(/\r?\n/).filter(Boolean).pop() ?? '';
      const summary = /^#summary,rows=(\d+),skipped=(\d+)/.exec(tail);
      download(blob, `my-number-${body.purpose}-${body.activeInYear ?? 'all'}.csv`);
      say(status, summary ? t('bulk.done', { rows: summary[1], skipped: summary[2] }) : t('bulk.downloaded'), 'ok');
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  /** The file, and its passphrase shown once (never stored: a new retrieval or leaving the screen clears it). */
  function showPassphrase(answer) {
    download(new Blob([answer.file], { type: answer.contentType }), answer.filename);
    mount(
      passphraseBox,
      h('h3', {}, t('bulk.passphraseTitle')),
      h('p', {}, h('code', { class: 'id', translate: 'no', 'data-test': 'bulk-passphrase' }, answer.passphrase)),
      h('p', { class: 'hint' }, t('bulk.passphraseHint', { file: answer.filename })),
    );
    passphraseBox.hidden = false;
    say(status, t('bulk.passphraseDone', { file: answer.filename }), 'ok');
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
        field(t('bulk.recipient'), recipient, t('bulk.recipientHint')),
        field(t('bulk.encryption'), encryption, t('bulk.encryptionHint')),
      ),
      h('button', { type: 'submit', class: 'danger', 'data-test': 'bulk-submit' }, t('bulk.submit')),
      status,
    ),
    passphraseBox,
  );
}
