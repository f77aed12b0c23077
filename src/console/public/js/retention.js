// Admins: the disposal-alarm inbox (dispose, postpone, batch disposal) and disposal records.
import { api, ApiError } from './api.js';
import { openMattersCard } from './filings.js';
import { field, h, mount, say, statusLine, table, when } from './dom.js';
import { has, t } from './i18n.js';
import { dateHint, dateInput, day, dayWithAge, isoOf } from './dates.js';
import { errorText } from './errors.js';

export async function retentionScreen(main, ctx) {
  const status = statusLine('retention-status');
  const which = h(
    'select',
    { 'data-test': 'alarm-status' },
    ['open', 'postponed', 'disposed', 'withdrawn'].map((s) => h('option', { value: s }, t(`alarm.${s}`))),
  );
  which.addEventListener('change', () => loadAlarms());
  const alarms = h('div', { class: 'list' });
  const records = h('div', { class: 'list' });
  const panel = h('div', { 'data-test': 'alarm-panel' });
  mount(
    main,
    h(
      'section',
      { class: 'card', 'data-test': 'retention-screen' },
      h('h2', {}, t('alarm.title')),
      h('p', { class: 'hint' }, t('alarm.explain')),
      h(
        'div',
        { class: 'actions' },
        field(t('alarm.show'), which),
        h('button', { type: 'button', class: 'danger', 'data-test': 'dispose-all', onclick: disposeAll }, t('alarm.disposeAll')),
      ),
      status,
      alarms,
    ),
    panel,
    h('section', { class: 'card', 'data-test': 'disposal-records' }, h('h2', {}, t('disposal.title')), records),
    await openMattersCard(),
  );
  await Promise.all([loadAlarms(), loadRecords()]);

  async function loadAlarms() {
    try {
      const page = await api('GET', '/retention/alarms', undefined, { query: { status: which.value } });
      mount(
        alarms,
        page.items.length
          ? table(
              [
                { label: t('people.code'), cell: (a) => a.subject?.code ?? '—' },
                { label: t('people.name'), cell: (a) => a.subject?.name ?? '—' },
                { label: t('people.kind'), cell: (a) => (a.subject ? t(`kind.${a.subject.kind}`) : '—') },
                { label: t('alarm.due'), cell: (a) => dayWithAge(a.dueOn) },
                {
                  label: t('alarm.rule'),
                  cell: (a) => `${a.rule === 'left' ? t('alarm.ruleLeft') : (a.ruleLabel ?? a.rule ?? '—')}${a.basis ? ` (${a.basis})` : ''}`,
                },
                { label: t('number.title'), cell: (a) => (a.numberOnFile ? t('number.onFile') : t('number.none')) },
                {
                  label: t('alarm.postponed'),
                  cell: (a) => (a.postponedUntil ? [when(a.postponedUntil), ' ', h('span', { translate: 'no' }, a.postponeReason ?? '')] : '—'),
                },
                {
                  label: '',
                  cell: (a) =>
                    a.status === 'open'
                      ? h(
                          'button',
                          { type: 'button', class: 'secondary', 'data-test': `alarm-${a.subject?.code}`, onclick: () => openAlarm(a) },
                          t('common.open'),
                        )
                      : '',
                },
              ],
              page.items,
              'alarm-table',
            )
          : h('p', { 'data-test': 'no-alarms' }, t('alarm.none')),
      );
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  /** A disposal waits for the responsible person: say so, with a link to the approvals screen. */
  function pendingNotice(key) {
    mount(
      status,
      t(key),
      ' ',
      h('button', { type: 'button', class: 'link', 'data-test': 'open-approvals', onclick: () => ctx.show('approvals') }, t('alarm.openApprovals')),
    );
    status.dataset.kind = 'warn';
  }

  async function loadRecords() {
    try {
      const page = await api('GET', '/retention/disposals');
      mount(
        records,
        page.items.length
          ? table(
              [
                { label: t('disposal.at'), cell: (r) => when(r.disposedAt ?? r.createdAt) },
                { label: t('people.code'), cell: (r) => r.subjectCode ?? '—' },
                { label: t('alarm.rule'), cell: (r) => h('span', { title: r.rule ?? '' }, disposalRuleText(ctx, r.rule)) },
                { label: t('alarm.due'), cell: (r) => day(r.dueOn) },
                { label: t('disposal.by'), cell: (r) => r.disposedByUsername ?? '—' },
                { label: t('disposal.method'), cell: (r) => h('span', { title: r.method ?? '' }, disposalMethodText(r.method)) },
                { label: t('disposal.note'), cell: (r) => h('span', { translate: 'no' }, r.note ?? '') }, // free text as written
              ],
              page.items,
              'disposal-table',
            )
          : h('p', {}, t('common.empty')),
      );
    } catch (error) {
      mount(records, h('p', { class: 'status', 'data-kind': 'error' }, errorText(error)));
    }
  }

  function openAlarm(alarm) {
    const s = statusLine('alarm-action-status');
    const note = h('input', { maxlength: 500, 'data-test': 'dispose-note' });
    const until = dateInput({ required: true, 'data-test': 'postpone-until' });
    const reason = h('input', { required: true, maxlength: 500, 'data-test': 'postpone-reason' });
    const after = async (key) => {
      mount(panel);
      await Promise.all([loadAlarms(), loadRecords()]);
      say(status, t(key), 'ok');
    };
    mount(
      panel,
      h(
        'section',
        { class: 'card', 'data-test': 'alarm-detail' },
        h('h3', {}, `${alarm.subject?.name ?? ''} (${alarm.subject?.code ?? ''}) · ${t('alarm.due')} ${dayWithAge(alarm.dueOn)}`),
        h(
          'form',
          {
            onsubmit: async (e) => {
              e.preventDefault();
              if (!window.confirm(t('alarm.confirmDispose'))) return;
              try {
                const r = await api('POST', `/retention/alarms/${alarm.id}/dispose`, note.value.trim() ? { note: note.value.trim() } : {});
                // 202: four eyes are required, the disposal waits for the responsible person (issue #19)
                if (r?.status === 'pending-approval') {
                  mount(panel);
                  await loadAlarms();
                  return pendingNotice('alarm.pendingApproval');
                }
                await after('alarm.disposedDone');
              } catch (error) {
                say(s, errorText(error), 'error');
              }
            },
          },
          field(t('disposal.note'), note, t('alarm.noteHint')),
          h('button', { type: 'submit', class: 'danger', 'data-test': 'dispose' }, t('alarm.dispose')),
        ),
        h(
          'form',
          {
            onsubmit: async (e) => {
              e.preventDefault();
              try {
                const untilOn = isoOf(until);
                if (!untilOn) return say(s, t('date.invalid'), 'error');
                await api('POST', `/retention/alarms/${alarm.id}/postpone`, { until: untilOn, reason: reason.value.trim() });
                await after('alarm.postponedDone');
              } catch (error) {
                say(s, errorText(error), 'error');
              }
            },
          },
          h('div', { class: 'row' }, field(t('alarm.until'), until, dateHint()), field(t('alarm.reason'), reason)),
          h('button', { type: 'submit', class: 'secondary', 'data-test': 'postpone' }, t('alarm.postpone')),
        ),
        s,
      ),
    );
  }

  /**
   * Batch disposal (issue #22): first list every open alarm it would destroy; a person with no
   * recorded filing must be ticked one by one (the server skips them otherwise); then one confirm.
   */
  async function disposeAll() {
    mount(panel);
    let items = [];
    try {
      let cursor;
      do {
        const page = await api('GET', '/retention/alarms', undefined, { query: { status: 'open', cursor } });
        items = items.concat(page.items);
        cursor = page.nextCursor;
      } while (cursor);
    } catch (error) {
      return say(status, errorText(error), 'error');
    }
    if (!items.length) return say(status, t('alarm.none'), 'info');
    const s = statusLine('batch-status');
    const note = h('input', { maxlength: 500, 'data-test': 'batch-note' });
    const confirms = new Map();
    const grid = table(
      [
        { label: t('people.code'), cell: (a) => a.subject?.code ?? '—' },
        { label: t('people.name'), cell: (a) => a.subject?.name ?? '—' },
        { label: t('people.kind'), cell: (a) => (a.subject ? t(`kind.${a.subject.kind}`) : '—') },
        { label: t('alarm.due'), cell: (a) => dayWithAge(a.dueOn) },
        { label: t('alarm.rule'), cell: (a) => (a.rule === 'left' ? t('alarm.ruleLeft') : (a.ruleLabel ?? a.rule ?? '—')) },
        { label: t('number.title'), cell: (a) => (a.numberOnFile ? t('number.onFile') : t('number.none')) },
        {
          label: t('alarm.filings'),
          cell: (a) => {
            if (a.filingsRecorded > 0) return t('alarm.filingsCount', { n: a.filingsRecorded });
            const box = h('input', { type: 'checkbox', 'data-test': `batch-confirm-${a.subject?.code}` });
            confirms.set(a.id, box);
            return h('label', { class: 'check warn' }, box, ' ', t('alarm.noFilingsConfirm'));
          },
        },
      ],
      items,
      'batch-table',
    );
    const go = h('button', { type: 'button', class: 'danger', 'data-test': 'batch-dispose' }, t('alarm.batchGo', { n: items.length }));
    go.addEventListener('click', async () => {
      const confirmed = [...confirms].filter(([, box]) => box.checked).map(([id]) => id);
      const count = items.length - (confirms.size - confirmed.length);
      if (!window.confirm(t('alarm.confirmDisposeAll', { n: count }))) return;
      try {
        const body = { alarmIds: items.map((a) => a.id), confirmedWithoutFilings: confirmed };
        if (note.value.trim()) body.note = note.value.trim();
        const r = await api('POST', '/retention/alarms/dispose-all', body);
        if (r?.status === 'pending-approval') {
          mount(panel);
          return pendingNotice('alarm.batchPending');
        }
        await Promise.all([loadAlarms(), loadRecords()]);
        const skipped = r.skipped ?? [];
        say(status, t('alarm.batchDone', { disposed: r.disposed ?? 0, skipped: skipped.length }), 'ok');
        const byId = new Map(items.map((a) => [a.id, a]));
        mount(
          panel,
          skipped.length
            ? h(
                'section',
                { class: 'card', 'data-test': 'batch-result' },
                h('h3', {}, t('alarm.batchSkippedTitle')),
                table(
                  [
                    { label: t('people.code'), cell: (x) => byId.get(x.alarmId)?.subject?.code ?? '—' },
                    { label: t('people.name'), cell: (x) => byId.get(x.alarmId)?.subject?.name ?? '—' },
                    { label: t('alarm.skippedWhy'), cell: (x) => h('span', { title: x.code }, errorText(new ApiError(409, { code: x.code }))) },
                  ],
                  skipped,
                  'batch-skipped',
                ),
              )
            : null,
        );
      } catch (error) {
        say(s, errorText(error), 'error');
      }
    });
    mount(
      panel,
      h(
        'section',
        { class: 'card', 'data-test': 'batch-panel' },
        h('h3', {}, t('alarm.batchTitle', { n: items.length })),
        h('p', { class: 'hint' }, t('alarm.batchExplain')),
        grid,
        field(t('disposal.note'), note, t('alarm.noteHint')),
        h(
          'div',
          { class: 'actions' },
          go,
          h('button', { type: 'button', class: 'secondary', 'data-test': 'batch-cancel', onclick: () => mount(panel) }, t('common.cancel')),
        ),
        s,
      ),
    );
  }
}

/** A disposal record's rule by its label (issue #22: no raw codes): leaving, a filing's document, or a post-leaving floor. */
function disposalRuleText(ctx, rule) {
  if (!rule) return '—';
  if (rule === 'left') return t('alarm.ruleLeft');
  const filing = ctx?.reference?.retentionRules?.find((r) => r.documentType === rule);
  if (filing) return filing.label;
  return has(`disposal.rule.${rule}`) ? t(`disposal.rule.${rule}`) : t('disposal.rule.other');
}

/** The method a record states (an English sentence kept in the record) by its label; the sentence stays on hover. */
function disposalMethodText(method) {
  if (!method) return '—';
  if (method.startsWith('crypto-erase')) return t('disposal.method.crypto-erase');
  if (method.startsWith('none needed')) return t('disposal.method.none-needed');
  return t('disposal.method.other');
}
