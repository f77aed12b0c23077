// Admins: a read-only people list (issue #22) with leave dates and the computed 廃棄可能日 and its
// rule, never a number or whether one is on file. Admins (HR) may record or clear a leave date;
// everything else about a person stays with the clerks (docs/console.md "Who sets leave dates").
import { api } from './api.js';
import { errorText } from './errors.js';
import { field, h, mount, say, statusLine, table } from './dom.js';
import { t } from './i18n.js';
import { dateHint, dateInput, day, dayWithAge, isoOf } from './dates.js';
import { savedLeaveText } from './people.js';

const KINDS = ['employee', 'dependent', 'payee'];

function dueCell(p) {
  if (p.disposedAt) return t('roster.disposed');
  if (p.dueOn) return dayWithAge(p.dueOn);
  if (p.reason === 'matter-open') return t('roster.matterOpen');
  return p.leftAt ? t('ret.noDue') : t('roster.active');
}

export async function rosterScreen(main) {
  const status = statusLine('roster-status');
  const q = h('input', { type: 'search', placeholder: t('people.searchHint'), 'data-test': 'roster-search' });
  const kind = h(
    'select',
    { 'data-test': 'roster-kind' },
    h('option', { value: '' }, t('people.allKinds')),
    KINDS.map((k) => h('option', { value: k }, t(`kind.${k}`))),
  );
  const state = h(
    'select',
    { 'data-test': 'roster-state' },
    h('option', { value: '' }, t('people.allStates')),
    h('option', { value: 'active' }, t('people.active')),
    h('option', { value: 'left' }, t('people.left')),
  );
  const list = h('div', { class: 'list' });
  const panel = h('div', { 'data-test': 'roster-panel' });
  let cursor = null;
  mount(
    main,
    h(
      'section',
      { class: 'card', 'data-test': 'roster-screen' },
      h('h2', {}, t('roster.title')),
      h('p', { class: 'hint' }, t('roster.explain')),
      h(
        'form',
        {
          class: 'filters',
          onsubmit: (e) => {
            e.preventDefault();
            load();
          },
        },
        field(t('people.search'), q),
        field(t('people.kind'), kind),
        field(t('people.state'), state),
        h('button', { type: 'submit', class: 'primary', 'data-test': 'roster-search-submit' }, t('common.search')),
      ),
      status,
      list,
    ),
    panel,
  );
  await load();

  async function load(more = false) {
    try {
      const page = await api('GET', '/retention/people', undefined, {
        query: { q: q.value.trim(), kind: kind.value, status: state.value, cursor: more ? cursor : undefined },
      });
      cursor = page.nextCursor;
      mount(
        list,
        page.items.length
          ? table(
              [
                { label: t('people.code'), cell: (p) => p.code },
                { label: t('people.name'), cell: (p) => h('span', {}, p.name, p.nameKana ? h('small', { class: 'kana' }, ` ${p.nameKana}`) : null) },
                { label: t('people.kind'), cell: (p) => t(`kind.${p.kind}`) },
                { label: t('people.hiredAt'), cell: (p) => day(p.hiredAt) },
                { label: t('people.leftAt'), cell: (p) => day(p.leftAt) },
                { label: t('alarm.due'), cell: (p) => h('span', { 'data-test': `roster-due-${p.code}` }, dueCell(p)) },
                { label: t('alarm.rule'), cell: (p) => (p.rule === 'left' ? t('alarm.ruleLeft') : (p.ruleLabel ?? '—')) },
                {
                  label: '',
                  cell: (p) =>
                    h(
                      'button',
                      { type: 'button', class: 'secondary', 'data-test': `roster-leave-${p.code}`, onclick: () => leaveEditor(p) },
                      t('roster.setLeave'),
                    ),
                },
              ],
              page.items,
              'roster-table',
            )
          : h('p', {}, t('common.empty')),
        cursor ? h('button', { type: 'button', class: 'link', onclick: () => load(true) }, t('common.more')) : null,
      );
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  function leaveEditor(person) {
    const s = statusLine('roster-leave-status');
    const left = dateInput({ value: person.leftAt ?? '', 'data-test': 'roster-leave-date' });
    mount(
      panel,
      h(
        'form',
        {
          class: 'card',
          'data-test': 'roster-leave-form',
          onsubmit: async (e) => {
            e.preventDefault();
            const value = isoOf(left);
            if (value === undefined) return say(s, t('date.invalid'), 'error');
            try {
              const saved = await api('PUT', `/subjects/${person.id}/leave`, { leftAt: value });
              await load();
              say(s, savedLeaveText(saved.retention), 'ok');
            } catch (error) {
              say(s, errorText(error), 'error');
            }
          },
        },
        h('h3', {}, `${person.name} (${person.code})`),
        h('p', { class: 'hint' }, t('people.leaveHint')),
        h(
          'div',
          { class: 'row' },
          field(t('people.leftAt'), left, dateHint()),
          h('button', { type: 'submit', class: 'primary', 'data-test': 'roster-leave-save' }, t('people.leaveSave')),
        ),
        s,
      ),
    );
  }
}
