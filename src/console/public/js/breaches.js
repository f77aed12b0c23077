// 漏えい等報告 (issue #19; 番号法29条の4, 報告規則): the breach register for admins (and the
// responsible person). Open an incident; add the people affected from the trail (every number shown
// in a time range, optionally by one account) or everyone on file; see whether the PPC report duty
// applies and why (the triggers of config/compliance.json with their basis) and the 速報/確報
// deadlines; write the report items; record the reports sent; print the report's items in the PPC
// form's order and the notice to the people affected (print CSS: only the document prints).
import { api } from './api.js';
import { field, h, mount, say, statusLine, table, when } from './dom.js';
import { getLang, has, t } from './i18n.js';
import { dateHint, dateInput, day, isoOf, todayInJapan } from './dates.js';
import { errorText } from './errors.js';

const CATEGORIES = ['leak', 'loss', 'damage'];
const REPORT_KINDS = ['preliminary', 'final', 'people-notice'];
/** The report items an incident's register holds as free text (the others are filled from the register). */
const EDITABLE_ITEMS = ['items', 'cause', 'secondary-damage', 'response-to-people', 'publication', 'prevention', 'other'];

/** A day and a time (Japan time) read as one ISO date-time; `read()` is undefined when the day is not a date, null when empty. */
function dateTime(testId, { day: initialDay, time = '09:00' } = {}) {
  const d = dateInput({ 'data-test': `${testId}-day`, value: initialDay });
  // in Japanese a 24-hour text field (時:分), whatever the browser's locale makes of a time picker (12:00 AM); English keeps the picker
  const tm =
    getLang() === 'en'
      ? h('input', { type: 'time', value: time, 'data-test': `${testId}-time` })
      : h('input', {
          type: 'text',
          inputmode: 'numeric',
          maxlength: 5,
          size: 5,
          placeholder: '09:00',
          value: time,
          autocomplete: 'off',
          'data-test': `${testId}-time`,
        });
  return {
    el: h('span', { class: 'row' }, d, tm),
    read() {
      const iso = isoOf(d);
      if (iso === null || iso === undefined) return iso;
      const m = /^(\d{1,2})[:：](\d{2})$/.exec(String(tm.value).normalize('NFKC').trim() || '00:00');
      if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return undefined;
      return `${iso}T${m[1].padStart(2, '0')}:${m[2]}:00+09:00`;
    },
  };
}

const stateBadge = (state, test) =>
  h(
    'span',
    { class: `badge ${state === 'overdue' || state === 'alarm' ? 'warn' : state === 'reported' ? 'ok' : 'none'}`, 'data-test': test },
    t(`breach.state.${state}`),
  );

export async function breachesScreen(main, ctx) {
  const mayEdit = ctx.me.roles.some((r) => r === 'admin' || r === 'responsible');
  const status = statusLine('breaches-status');
  const list = h('div', { class: 'list' });
  const panel = h('div', { class: 'breach-panel', 'data-test': 'breach-panel' });
  // a div, not a section: the print style sheet hides the sections and keeps this
  const printArea = h('div', { class: 'breach-doc', 'data-test': 'breach-print' });
  mount(
    main,
    h(
      'section',
      { class: 'card', 'data-test': 'breaches-screen' },
      h('h2', {}, t('breach.title')),
      h('p', { class: 'hint' }, t('breach.intro')),
      mayEdit
        ? h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', class: 'primary', 'data-test': 'breach-new', onclick: () => openForm() }, t('breach.open')),
          )
        : null,
      status,
      list,
    ),
    panel,
    printArea,
  );
  await loadList();

  async function loadList() {
    try {
      const page = await api('GET', '/breaches');
      mount(
        list,
        page.items.length
          ? table(
              [
                { label: t('breach.name'), cell: (b) => h('span', { translate: 'no' }, b.title) },
                { label: t('breach.category'), cell: (b) => t(`breach.category.${b.category}`) },
                { label: t('breach.discoveredAt'), cell: (b) => when(b.discoveredAt) },
                { label: t('breach.affected'), cell: (b) => t('breach.people', { n: b.affectedCount }) },
                { label: t('breach.duty'), cell: (b) => (b.duty.applies ? h('span', { class: 'badge warn' }, t('breach.dutyApplies')) : t('breach.dutyNone')) },
                { label: t('breach.preliminary'), cell: (b) => [stateBadge(b.deadlines.preliminaryState), ' ', day(b.deadlines.preliminary.dueOn)] },
                { label: t('breach.final'), cell: (b) => [stateBadge(b.deadlines.finalState), ' ', day(b.deadlines.final.dueOn)] },
                { label: t('breach.status'), cell: (b) => t(`breach.status.${b.status}`) },
                {
                  label: '',
                  cell: (b) =>
                    h('button', { type: 'button', class: 'secondary', 'data-test': `breach-open-${b.title}`, onclick: () => show(b.id) }, t('common.open')),
                },
              ],
              page.items,
              'breaches-table',
            )
          : h('p', {}, t('breach.none')),
      );
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  function openForm() {
    const s = statusLine('breach-form-status');
    const title = h('input', { required: true, maxlength: 200, 'data-test': 'breach-title' });
    const category = h(
      'select',
      { 'data-test': 'breach-category' },
      CATEGORIES.map((c) => h('option', { value: c }, t(`breach.category.${c}`))),
    );
    const summary = h('textarea', { required: true, maxlength: 4000, rows: 3, 'data-test': 'breach-summary' });
    const discovered = dateTime('breach-discovered', { day: todayInJapan() });
    const discoveredBy = h('input', { maxlength: 200, 'data-test': 'breach-discovered-by' });
    const flags = ['unlawfulPurpose', 'publiclyViewable', 'systemLeak'].map((k) => ({ k, box: h('input', { type: 'checkbox', 'data-test': `breach-${k}` }) }));
    mount(
      panel,
      h(
        'section',
        { class: 'card' },
        h(
          'form',
          {
            'data-test': 'breach-form',
            onsubmit: async (e) => {
              e.preventDefault();
              const discoveredAt = discovered.read();
              if (!discoveredAt) return say(s, t('date.invalid'), 'error');
              const body = { title: title.value.trim(), category: category.value, summary: summary.value.trim(), discoveredAt };
              if (discoveredBy.value.trim()) body.discoveredBy = discoveredBy.value.trim();
              for (const f of flags) body[f.k] = f.box.checked;
              try {
                const created = await api('POST', '/breaches', body);
                await loadList();
                await show(created.id);
                say(status, t('breach.opened'), 'ok');
              } catch (error) {
                say(s, errorText(error), 'error');
              }
            },
          },
          h('h3', {}, t('breach.open')),
          h('div', { class: 'row' }, field(t('breach.name'), title), field(t('breach.category'), category)),
          field(t('breach.summary'), summary, t('alarm.noteHint')),
          h('div', { class: 'row' }, field(t('breach.discoveredAt'), discovered.el, dateHint()), field(t('breach.discoveredBy'), discoveredBy)),
          h(
            'div',
            { class: 'checks' },
            flags.map((f) => h('label', { class: 'check' }, f.box, ' ', t(`breach.flag.${f.k}`))),
          ),
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'submit', class: 'primary', 'data-test': 'breach-submit' }, t('breach.register')),
            h('button', { type: 'button', class: 'secondary', onclick: () => mount(panel) }, t('common.cancel')),
          ),
          s,
        ),
      ),
    );
  }

  async function show(id) {
    mount(printArea);
    let b;
    let affected;
    let reportDoc;
    let users = [];
    try {
      [b, affected, reportDoc] = await Promise.all([
        api('GET', `/breaches/${id}`),
        api('GET', `/breaches/${id}/affected`, undefined, { query: { limit: 200 } }),
        api('GET', `/breaches/${id}/report`),
      ]);
      // the accounts whose reveals may be the leak (only admins may list accounts)
      if (ctx.me.roles.includes('admin')) users = (await api('GET', '/users', undefined, { query: { limit: 500 } })).items;
    } catch (error) {
      return say(status, errorText(error), 'error');
    }
    const s = statusLine('breach-detail-status');
    const reload = async (key) => {
      await loadList();
      await show(id);
      say(status, t(key), 'ok');
    };
    const dl = (...pairs) =>
      h(
        'dl',
        { class: 'facts' },
        pairs.map(([k, v, test]) => [h('dt', {}, k), h('dd', test ? { 'data-test': test } : {}, v)]),
      );
    const d = b.deadlines;
    mount(
      panel,
      h(
        'section',
        { class: 'card breach-detail', 'data-test': 'breach-detail' },
        h('h3', {}, h('span', { translate: 'no' }, b.title), ' ', h('span', { class: 'badge none' }, t(`breach.status.${b.status}`))),
        dl(
          [t('breach.category'), t(`breach.category.${b.category}`)],
          [t('breach.summary'), h('span', { translate: 'no' }, b.summary)],
          [t('breach.discoveredAt'), when(b.discoveredAt)],
          [t('breach.discoveredBy'), b.discoveredBy ? h('span', { translate: 'no' }, b.discoveredBy) : '—'],
          [
            t('breach.flags'),
            ['unlawfulPurpose', 'publiclyViewable', 'systemLeak']
              .filter((k) => b[k])
              .map((k) => t(`breach.flag.${k}`))
              .join('、') || '—',
          ],
          [t('breach.affected'), t('breach.people', { n: b.affectedCount }), 'breach-affected-count'],
        ),
        // the duty and why
        h('h4', {}, t('breach.duty')),
        h(
          'div',
          { 'data-test': 'breach-duty' },
          b.duty.applies
            ? h('p', { class: 'warn', 'data-test': 'breach-duty-applies' }, t('breach.dutyAppliesLong'))
            : h('p', { 'data-test': 'breach-duty-none' }, t('breach.dutyNoneLong', { n: b.affectedCount, threshold: b.duty.threshold })),
          b.duty.triggers.length
            ? h(
                'ul',
                {},
                b.duty.triggers.map((tr) => h('li', { 'data-test': 'breach-trigger' }, tr.label, h('small', { class: 'hint' }, `（${tr.basis}）`))),
              )
            : null,
          h('p', { class: 'hint' }, `${t('breach.basis')}: ${b.duty.basis}`),
        ),
        // the deadlines
        h('h4', {}, t('breach.deadlines')),
        table(
          [
            { label: t('breach.report'), cell: (x) => x.label },
            { label: t('breach.dueAt'), cell: (x) => h('span', { 'data-test': `breach-due-${x.kind}` }, when(x.dueAt)) },
            { label: t('breach.alarmAt'), cell: (x) => when(x.alarmAt) },
            { label: t('breach.state'), cell: (x) => stateBadge(x.state, `breach-state-${x.kind}`) },
            { label: t('breach.basis'), cell: (x) => h('small', {}, x.basis) },
          ],
          [
            { kind: 'preliminary', label: t('breach.preliminaryLong'), ...d.preliminary, state: d.preliminaryState },
            {
              kind: 'final',
              label: t(d.final.unlawfulPurpose ? 'breach.finalLongUnlawful' : 'breach.finalLong', { days: d.final.days }),
              ...d.final,
              state: d.finalState,
            },
          ],
          'breach-deadlines',
        ),
        d.counting?.basis ? h('p', { class: 'hint' }, `${t('breach.counting')}: ${d.counting.basis}`) : null,
        b.alarms.length
          ? h('p', { class: 'warn', 'data-test': 'breach-alarms' }, t('breach.alarmsRaised', { list: b.alarms.map((a) => t(`breach.${a.kind}`)).join('、') }))
          : null,
        mayEdit ? factsForm(b, s, reload) : null,
        s,
      ),
      affectedCard(b, affected, users, reload),
      reportItemsCard(b, reportDoc, reload),
      reportsCard(b, reload),
      h(
        'section',
        { class: 'card' },
        h('h3', {}, t('breach.print')),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'primary', 'data-test': 'print-report', onclick: () => printDoc(id, 'report') }, t('breach.printReport')),
          h('button', { type: 'button', class: 'secondary', 'data-test': 'print-notice', onclick: () => printDoc(id, 'notice') }, t('breach.printNotice')),
          mayEdit && b.status === 'open'
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  'data-test': 'breach-close',
                  onclick: async () => {
                    try {
                      await api('PATCH', `/breaches/${id}`, { status: 'closed' });
                      await reload('breach.closedDone');
                    } catch (error) {
                      say(s, errorText(error), 'error');
                    }
                  },
                },
                t('breach.close'),
              )
            : null,
          mayEdit && b.status === 'closed'
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  'data-test': 'breach-reopen',
                  onclick: async () => {
                    try {
                      await api('PATCH', `/breaches/${id}`, { status: 'open' });
                      await reload('breach.reopened');
                    } catch (error) {
                      say(s, errorText(error), 'error');
                    }
                  },
                },
                t('breach.reopen'),
              )
            : null,
        ),
      ),
    );
  }

  /** The facts as they become known (a circumstance found later changes the duty and the 確報's days). */
  function factsForm(b, s, reload) {
    if (b.status !== 'open') return null;
    const summary = h('textarea', { rows: 3, maxlength: 4000, 'data-test': 'facts-summary' }, b.summary);
    const discoveredBy = h('input', { maxlength: 200, value: b.discoveredBy ?? '', 'data-test': 'facts-discovered-by' });
    const flags = ['unlawfulPurpose', 'publiclyViewable', 'systemLeak'].map((k) => ({
      k,
      box: h('input', { type: 'checkbox', checked: b[k], 'data-test': `facts-${k}` }),
    }));
    return h(
      'details',
      { class: 'breach-facts' },
      h('summary', {}, t('breach.editFacts')),
      h(
        'form',
        {
          onsubmit: async (e) => {
            e.preventDefault();
            const body = { summary: summary.value.trim() };
            if (discoveredBy.value.trim()) body.discoveredBy = discoveredBy.value.trim();
            for (const f of flags) body[f.k] = f.box.checked;
            try {
              await api('PATCH', `/breaches/${b.id}`, body);
              await reload('common.saved');
            } catch (error) {
              say(s, errorText(error), 'error');
            }
          },
        },
        field(t('breach.summary'), summary, t('alarm.noteHint')),
        field(t('breach.discoveredBy'), discoveredBy),
        h(
          'div',
          { class: 'checks' },
          flags.map((f) => h('label', { class: 'check' }, f.box, ' ', t(`breach.flag.${f.k}`))),
        ),
        h('p', { class: 'hint' }, t('breach.editFactsHint')),
        h('button', { type: 'submit', class: 'secondary', 'data-test': 'facts-save' }, t('breach.saveFacts')),
      ),
    );
  }

  function affectedCard(b, affected, users, reload) {
    const s = statusLine('affected-status');
    const source = h(
      'select',
      { 'data-test': 'affected-source' },
      ['reveals', 'on-file'].map((x) => h('option', { value: x }, t(`breach.source.${x}`))),
    );
    const actor = h(
      'select',
      { 'data-test': 'affected-actor' },
      h('option', { value: '' }, t('breach.anyAccount')),
      users.map((u) => h('option', { value: u.id, translate: 'no' }, `${u.displayName}（${u.username}）`)),
    );
    const from = dateTime('affected-from', { time: '00:00' });
    const to = dateTime('affected-to', { day: todayInJapan(), time: '23:59' });
    return h(
      'section',
      { class: 'card', 'data-test': 'breach-affected' },
      h('h3', {}, t('breach.affectedTitle', { n: b.affectedCount })),
      mayEdit && b.status === 'open'
        ? h(
            'form',
            {
              onsubmit: async (e) => {
                e.preventDefault();
                const body = { source: source.value };
                if (source.value === 'reveals') {
                  body.from = from.read();
                  body.to = to.read();
                  if (!body.from || !body.to) return say(s, t('date.invalid'), 'error');
                  if (actor.value) body.actorId = actor.value;
                }
                try {
                  const r = await api('POST', `/breaches/${b.id}/affected`, body);
                  await reload('breach.affectedAdded');
                  say(status, t('breach.affectedAddedN', { added: r.added, total: r.affectedCount }), 'ok');
                } catch (error) {
                  say(s, errorText(error), 'error');
                }
              },
            },
            h('p', { class: 'hint' }, t('breach.affectedHint')),
            h(
              'div',
              { class: 'row' },
              field(t('breach.source'), source),
              field(t('breach.account'), actor),
              field(t('breach.from'), from.el, dateHint()),
              field(t('breach.to'), to.el),
            ),
            h('button', { type: 'submit', class: 'secondary', 'data-test': 'affected-add' }, t('breach.addAffected')),
            s,
          )
        : null,
      affected.items.length
        ? table(
            [
              { label: t('people.code'), cell: (p) => h('span', { translate: 'no' }, p.code) },
              { label: t('people.name'), cell: (p) => h('span', { translate: 'no' }, p.name) },
              { label: t('people.kind'), cell: (p) => (has(`kind.${p.kind}`) ? t(`kind.${p.kind}`) : '—') },
              { label: t('breach.source'), cell: (p) => (has(`breach.source.${p.source}`) ? t(`breach.source.${p.source}`) : '—') },
              { label: t('breach.addedAt'), cell: (p) => when(p.addedAt) },
            ],
            affected.items,
            'breach-affected-table',
          )
        : h('p', {}, t('breach.noAffected')),
      affected.nextCursor ? h('p', { class: 'hint' }, t('breach.moreAffected', { shown: affected.items.length, n: b.affectedCount })) : null,
    );
  }

  function reportItemsCard(b, reportDoc, reload) {
    const s = statusLine('report-items-status');
    const items = reportDoc.items.filter((i) => EDITABLE_ITEMS.includes(i.code));
    const inputs = items.map((i) => ({
      code: i.code,
      el: h('textarea', { rows: 2, maxlength: 4000, 'data-test': `item-${i.code}` }, typeof b.report?.[i.code] === 'string' ? b.report[i.code] : ''),
      item: i,
    }));
    return h(
      'section',
      { class: 'card', 'data-test': 'breach-items' },
      h(
        'details',
        {},
        h('summary', {}, t('breach.itemsTitle')),
        h('p', { class: 'hint' }, t('breach.itemsHint')),
        h(
          'form',
          {
            onsubmit: async (e) => {
              e.preventDefault();
              const report = {};
              for (const i of inputs) if (i.el.value.trim()) report[i.code] = i.el.value.trim();
              try {
                await api('PATCH', `/breaches/${b.id}`, { report });
                await reload('common.saved');
              } catch (error) {
                say(s, errorText(error), 'error');
              }
            },
          },
          inputs.map((i) => field(`${i.item.label}（${i.item.basis}）`, i.el)),
          mayEdit && b.status === 'open' ? h('button', { type: 'submit', class: 'secondary', 'data-test': 'items-save' }, t('breach.saveItems')) : null,
          s,
        ),
      ),
    );
  }

  function reportsCard(b, reload) {
    const s = statusLine('report-record-status');
    const kind = h(
      'select',
      { 'data-test': 'report-kind' },
      REPORT_KINDS.map((k) => h('option', { value: k }, t(`breach.kind.${k}`))),
    );
    const sent = dateTime('report-sent', { day: todayInJapan(), time: '10:00' });
    const means = h('input', { required: true, maxlength: 200, value: t('breach.meansDefault'), 'data-test': 'report-means' });
    const reference = h('input', { maxlength: 100, 'data-test': 'report-reference' });
    return h(
      'section',
      { class: 'card', 'data-test': 'breach-reports' },
      h('h3', {}, t('breach.reportsTitle')),
      b.reports.length
        ? table(
            [
              { label: t('breach.report'), cell: (r) => (has(`breach.kind.${r.kind}`) ? t(`breach.kind.${r.kind}`) : '—') },
              { label: t('breach.sentAt'), cell: (r) => when(r.sentAt) },
              { label: t('breach.means'), cell: (r) => h('span', { translate: 'no' }, r.means) },
              { label: t('breach.reference'), cell: (r) => h('span', { translate: 'no' }, r.reference ?? '—') },
              { label: t('breach.recordedBy'), cell: (r) => h('span', { translate: 'no' }, r.recordedBy) },
            ],
            b.reports,
            'breach-reports-table',
          )
        : h('p', {}, t('breach.noReports')),
      mayEdit && b.status === 'open'
        ? h(
            'form',
            {
              onsubmit: async (e) => {
                e.preventDefault();
                const sentAt = sent.read();
                if (!sentAt) return say(s, t('date.invalid'), 'error');
                const body = { kind: kind.value, sentAt, means: means.value.trim() };
                if (reference.value.trim()) body.reference = reference.value.trim();
                try {
                  await api('POST', `/breaches/${b.id}/reports`, body);
                  await reload('breach.reportRecorded');
                } catch (error) {
                  say(s, errorText(error), 'error');
                }
              },
            },
            h(
              'div',
              { class: 'row' },
              field(t('breach.report'), kind),
              field(t('breach.sentAt'), sent.el, dateHint()),
              field(t('breach.means'), means),
              field(t('breach.reference'), reference),
            ),
            h('button', { type: 'submit', class: 'secondary', 'data-test': 'report-record' }, t('breach.recordReport')),
            s,
          )
        : null,
    );
  }

  /** Renders the report (PPC form order) or the notice into the print area, then prints it. */
  async function printDoc(id, which) {
    try {
      const doc = await api('GET', `/breaches/${id}/${which}`);
      mount(
        printArea,
        h(
          'article',
          { class: 'breach-sheet', 'data-test': `breach-doc-${which}` },
          h('h2', {}, doc.title),
          h('p', { class: 'hint' }, `${t('breach.basis')}: ${doc.basis}`),
          h(
            'ol',
            { class: 'breach-items' },
            doc.items.map((i) =>
              h(
                'li',
                { 'data-test': `doc-item-${i.code}` },
                h('h4', {}, i.label, h('small', { class: 'hint' }, `（${i.basis}）`)),
                h('p', { class: 'value' }, i.value),
              ),
            ),
          ),
          h('p', { class: 'print-only hint' }, t('breach.printedBy', { who: ctx.me.displayName, at: when(new Date().toISOString()) })),
          getLang() === 'en' ? h('p', { class: 'hint no-print' }, t('breach.japaneseDoc')) : null,
        ),
      );
      printArea.scrollIntoView({ block: 'start' });
      window.print();
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }
}
