// 委託先 (issue #19; 番号法11条 委託先の監督): admins register an outside firm (社労士・税理士事務所)
// with its contract (scope, purposes, dates; the access window follows the dates unless a narrower one is entered), record the
// supervision checklist (items of config/compliance.json), register the firm's OpenPGP public key
// (exports to the firm leave encrypted for it) and create the firm's accounts (limited to the
// contract; under four eyes they wait for the responsible person). The server checks every role.
import { api } from './api.js';
import { field, h, mount, say, statusLine, table, when } from './dom.js';
import { t } from './i18n.js';
import { dateHint, dateInput, day, isoOf } from './dates.js';
import { purposeLabel } from './people.js';
import { errorText } from './errors.js';

const KINDS = ['labor-consultant', 'tax-accountant', 'payroll-bureau', 'other'];

export async function firmsScreen(main, ctx) {
  const status = statusLine('firms-status');
  const list = h('div', { class: 'list', 'data-test': 'firms-list' });
  const panel = h('div', { 'data-test': 'firms-panel' });
  mount(
    main,
    h(
      'section',
      { class: 'card', 'data-test': 'firms-screen' },
      h('h2', {}, t('firms.title')),
      h('p', { class: 'hint' }, t('firms.intro')),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'data-test': 'firm-new', onclick: () => createForm() }, t('firms.create')),
      ),
      status,
    ),
    panel,
    list,
  );
  await load();

  async function load() {
    try {
      const [firms, users] = await Promise.all([api('GET', '/firms'), api('GET', '/users', undefined, { query: { limit: 500 } })]);
      mount(
        list,
        firms.items.length
          ? firms.items.map((f) =>
              firmCard(
                f,
                users.items.filter((u) => u.firmId === f.id),
              ),
            )
          : h('section', { class: 'card' }, t('firms.none')),
      );
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  function firmCard(f, accounts) {
    const row = (label, value, test) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', test ? { 'data-test': test } : {}, value ?? '—'));
    return h(
      'section',
      { class: 'card firm', 'data-test': `firm-${f.name}` },
      h('h3', {}, h('span', { translate: 'no' }, f.name), ' ', h('span', { class: 'badge none' }, t(`firms.kind.${f.kind}`))),
      h(
        'table',
        { class: 'grid' },
        h(
          'tbody',
          {},
          row(t('firms.scope'), h('span', { translate: 'no' }, f.scope)),
          row(t('firms.purposes'), f.purposes.map((p) => purposeLabel(ctx.reference, p)).join('、'), 'firm-purposes'),
          row(t('firms.contract'), `${day(f.contractStartsOn)} ～ ${day(f.contractEndsOn)}`, 'firm-contract'),
          row(
            t('firms.window'),
            h(
              'span',
              {},
              `${when(f.accessFrom)} ～ ${when(f.accessUntil)} `,
              h(
                'span',
                { class: `badge ${f.accessOpenNow ? 'ok' : 'warn'}`, 'data-test': 'firm-window-state' },
                t(f.accessOpenNow ? 'firms.openNow' : 'firms.closedNow'),
              ),
            ),
            'firm-window',
          ),
          row(
            t('firms.key'),
            f.recipientKeyFingerprint
              ? h(
                  'span',
                  {},
                  h('code', { class: 'id', translate: 'no', 'data-test': 'firm-key-fingerprint' }, f.recipientKeyFingerprint),
                  ` ${when(f.recipientKeySetAt)}`,
                )
              : h('span', { class: 'badge warn', 'data-test': 'firm-no-key' }, t('firms.noKey')),
          ),
          row(
            t('firms.ageRecipient'),
            f.ageRecipient
              ? h('span', {}, h('code', { class: 'id', translate: 'no', 'data-test': 'firm-age-recipient' }, f.ageRecipient), ` ${when(f.ageRecipientSetAt)}`)
              : t('firms.noAge'),
          ),
        ),
      ),
      checklistForm(f),
      h('h4', {}, t('firms.accounts')),
      accounts.length
        ? table(
            [
              { label: t('staff.username'), cell: (u) => h('span', { translate: 'no', 'data-test': `firm-account-${u.username}` }, u.username) },
              { label: t('staff.displayName'), cell: (u) => h('span', { translate: 'no' }, u.displayName) },
              {
                label: t('account.roles'),
                cell: (u) =>
                  u.pendingRoles?.length
                    ? h('span', { class: 'badge warn', 'data-test': `firm-account-pending-${u.username}` }, t('firms.accountPending'))
                    : u.roles.map((r) => t(`role.${r}`)).join('、') || '—',
              },
              { label: t('staff.status'), cell: (u) => t(`staff.${u.status}`) },
              { label: t('account.lastLogin'), cell: (u) => when(u.lastLoginAt) },
            ],
            accounts,
            'firm-accounts',
          )
        : h('p', {}, t('firms.noAccounts')),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', 'data-test': 'firm-edit', onclick: () => contractForm(f) }, t('firms.edit')),
        h('button', { type: 'button', class: 'secondary', 'data-test': 'firm-account-new', onclick: () => accountForm(f) }, t('firms.createAccount')),
        h('button', { type: 'button', class: 'secondary', 'data-test': 'firm-key-new', onclick: () => keyForm(f) }, t('firms.registerKey')),
        h('button', { type: 'button', class: 'secondary', 'data-test': 'firm-age-new', onclick: () => ageForm(f) }, t('firms.registerAge')),
      ),
    );
  }

  function checklistForm(f) {
    const s = statusLine(`checklist-status`);
    const boxes = f.checklist.map((c) => ({
      code: c.code,
      done: h('input', { type: 'checkbox', checked: c.done, 'data-test': `check-${c.code}` }),
      note: h('input', { maxlength: 500, value: c.note ?? '', placeholder: t('firms.checkNote'), 'data-test': `check-note-${c.code}` }),
      item: c,
    }));
    const done = f.checklist.filter((c) => c.done).length;
    return h(
      'details',
      { class: 'firm-checklist', open: done < f.checklist.length },
      h('summary', { 'data-test': 'checklist-summary' }, t('firms.checklist', { done, total: f.checklist.length })),
      h('p', { class: 'hint' }, f.checklistBasis),
      h(
        'table',
        { class: 'grid', 'data-test': 'firm-checklist' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [t('firms.checkDone'), t('firms.checkItem'), t('firms.checkNote'), t('firms.checkedBy')].map((x) => h('th', { scope: 'col' }, x)),
          ),
        ),
        h(
          'tbody',
          {},
          boxes.map((b) =>
            h(
              'tr',
              {},
              h('td', {}, b.done),
              h('td', {}, b.item.label, h('small', { class: 'hint' }, `（${b.item.basis}）`)),
              h('td', {}, b.note),
              h('td', {}, b.item.checkedBy ? h('span', {}, h('span', { translate: 'no' }, b.item.checkedBy), ` ${when(b.item.checkedAt)}`) : '—'),
            ),
          ),
        ),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'data-test': 'checklist-save',
          onclick: async () => {
            try {
              // only what changed: the server stamps each item sent with who checked it and when
              const items = boxes
                .filter((b) => b.done.checked !== b.item.done || b.note.value.trim() !== (b.item.note ?? ''))
                .map((b) => ({ code: b.code, done: b.done.checked, ...(b.note.value.trim() ? { note: b.note.value.trim() } : {}) }));
              if (!items.length) return say(s, t('firms.nothingChanged'), 'info');
              await api('PUT', `/firms/${f.id}/checklist`, { items });
              await load();
              say(status, t('common.saved'), 'ok');
            } catch (error) {
              say(s, errorText(error), 'error');
            }
          },
        },
        t('firms.saveChecklist'),
      ),
      s,
    );
  }

  function createForm() {
    contractForm(null);
  }

  /** Registers a firm (f null) or changes its contract: scope, purposes, dates (name and kind stay; the access window follows new dates). */
  function contractForm(f) {
    const s = statusLine('firm-create-status');
    const name = h('input', { required: true, maxlength: 200, 'data-test': 'firm-name' });
    const kind = h(
      'select',
      { 'data-test': 'firm-kind' },
      KINDS.map((k) => h('option', { value: k }, t(`firms.kind.${k}`))),
    );
    const scope = h('textarea', { required: true, maxlength: 1000, rows: 2, 'data-test': 'firm-scope' }, f?.scope ?? '');
    const purposes = ctx.reference.purposes.map((p) =>
      h('input', { type: 'checkbox', value: p.code, checked: f?.purposes.includes(p.code), 'data-test': `firm-purpose-${p.code}` }),
    );
    const starts = dateInput({ required: true, value: f?.contractStartsOn, 'data-test': 'firm-starts' });
    const ends = dateInput({ required: true, value: f?.contractEndsOn, 'data-test': 'firm-ends' });
    // a narrower access window (the API's accessFrom/accessUntil): days in Japan time, the last day included; empty: the contract's dates
    const accessFrom = dateInput({ 'data-test': 'firm-access-from' });
    const accessTo = dateInput({ 'data-test': 'firm-access-to' });
    mount(
      panel,
      h(
        'section',
        { class: 'card' },
        h(
          'form',
          {
            'data-test': 'firm-form',
            onsubmit: async (e) => {
              e.preventDefault();
              const contractStartsOn = isoOf(starts);
              const contractEndsOn = isoOf(ends);
              if (!contractStartsOn || !contractEndsOn) return say(s, t('date.invalid'), 'error');
              const chosen = purposes.filter((p) => p.checked).map((p) => p.value);
              if (!chosen.length) return say(s, t('firms.purposeRequired'), 'error');
              const windowFrom = isoOf(accessFrom);
              const windowTo = isoOf(accessTo);
              if (windowFrom === undefined || windowTo === undefined) return say(s, t('date.invalid'), 'error');
              try {
                const contract = { scope: scope.value.trim(), purposes: chosen, contractStartsOn, contractEndsOn };
                if (windowFrom) contract.accessFrom = `${windowFrom}T00:00:00+09:00`;
                if (windowTo) contract.accessUntil = `${nextDay(windowTo)}T00:00:00+09:00`;
                if (f) await api('PATCH', `/firms/${f.id}`, contract);
                else await api('POST', '/firms', { name: name.value.trim(), kind: kind.value, ...contract });
                mount(panel);
                await load();
                say(status, t(f ? 'common.saved' : 'firms.created'), 'ok');
              } catch (error) {
                say(s, errorText(error), 'error');
              }
            },
          },
          h('h3', {}, f ? t('firms.editFor', { name: f.name }) : t('firms.create')),
          f ? null : h('div', { class: 'row' }, field(t('firms.name'), name), field(t('firms.kind'), kind)),
          field(t('firms.scope'), scope, t('alarm.noteHint')),
          h(
            'fieldset',
            {},
            h('legend', {}, t('firms.purposes')),
            h(
              'div',
              { class: 'checks' },
              purposes.map((box, i) => h('label', { class: 'check' }, box, ' ', purposeLabel(ctx.reference, ctx.reference.purposes[i].code))),
            ),
          ),
          h('div', { class: 'row' }, field(t('firms.startsOn'), starts, dateHint()), field(t('firms.endsOn'), ends, dateHint())),
          h('p', { class: 'hint' }, t('firms.windowHint')),
          h('div', { class: 'row' }, field(t('firms.accessFrom'), accessFrom, dateHint()), field(t('firms.accessTo'), accessTo, dateHint())),
          h('p', { class: 'hint' }, t('firms.accessHint')),
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'submit', class: 'primary', 'data-test': 'firm-submit' }, t(f ? 'firms.saveContract' : 'firms.register')),
            h('button', { type: 'button', class: 'secondary', onclick: () => mount(panel) }, t('common.cancel')),
          ),
          s,
        ),
      ),
    );
  }

  function accountForm(f) {
    const s = statusLine('firm-account-status');
    const username = h('input', { required: true, maxlength: 32, autocomplete: 'off', 'data-test': 'firm-account-username' });
    const displayName = h('input', { required: true, maxlength: 100, 'data-test': 'firm-account-display' });
    mount(
      panel,
      h(
        'section',
        { class: 'card narrow' },
        h(
          'form',
          {
            onsubmit: async (e) => {
              e.preventDefault();
              try {
                const created = await api('POST', `/firms/${f.id}/accounts`, { username: username.value.trim(), displayName: displayName.value.trim() });
                await load();
                mount(
                  panel,
                  h(
                    'section',
                    { class: 'card narrow', 'data-test': 'firm-account-created' },
                    h('h3', {}, t('firms.accountCreated'), ' ', h('span', { translate: 'no' }, created.username)),
                    h('p', {}, t('staff.initialPassword')),
                    h('p', {}, h('code', { class: 'secret', translate: 'no', 'data-test': 'initial-password' }, created.initialPassword)),
                    h('p', { class: 'hint' }, t('firms.accountHint')),
                    h('button', { type: 'button', class: 'primary', onclick: () => mount(panel) }, t('common.done')),
                  ),
                );
              } catch (error) {
                say(s, errorText(error), 'error');
              }
            },
          },
          h('h3', {}, t('firms.createAccountFor', { name: f.name })),
          field(t('staff.username'), username, t('staff.usernameHint')),
          field(t('staff.displayName'), displayName),
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'submit', class: 'primary', 'data-test': 'firm-account-submit' }, t('firms.createAccount')),
            h('button', { type: 'button', class: 'secondary', onclick: () => mount(panel) }, t('common.cancel')),
          ),
          s,
        ),
      ),
    );
  }

  function keyForm(f) {
    const key = h('textarea', { rows: 8, cols: 70, spellcheck: 'false', 'data-test': 'firm-key-text', placeholder: t('firms.keyPlaceholder') });
    recipientForm(f, {
      name: 'key',
      input: key,
      save: () => api('PUT', `/firms/${f.id}/recipient-key`, { publicKey: key.value.trim() }),
      title: 'firms.registerKeyFor',
      hint: 'firms.keyHint',
      label: 'firms.key',
      submit: 'firms.registerKey',
    });
  }

  function ageForm(f) {
    const recipient = h('input', { size: 70, maxlength: 200, spellcheck: 'false', autocomplete: 'off', placeholder: 'age1…', 'data-test': 'firm-age-text' });
    recipientForm(f, {
      name: 'age',
      input: recipient,
      save: () => api('PUT', `/firms/${f.id}/age-recipient`, { recipient: recipient.value.trim() }),
      title: 'firms.registerAgeFor',
      hint: 'firms.ageHint',
      label: 'firms.ageRecipient',
      submit: 'firms.registerAge',
    });
  }

  /** One form for a firm's recipient (OpenPGP key or age recipient): save, reload, say so. */
  function recipientForm(f, o) {
    const s = statusLine(`firm-${o.name}-status`);
    mount(
      panel,
      h(
        'section',
        { class: 'card' },
        h(
          'form',
          {
            onsubmit: async (e) => {
              e.preventDefault();
              try {
                await o.save();
                mount(panel);
                await load();
                say(status, t('firms.keySaved'), 'ok');
              } catch (error) {
                say(s, errorText(error), 'error');
              }
            },
          },
          h('h3', {}, t(o.title, { name: f.name })),
          h('p', { class: 'hint' }, t(o.hint)),
          field(t(o.label), o.input),
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'submit', class: 'primary', 'data-test': `firm-${o.name}-submit` }, t(o.submit)),
            h('button', { type: 'button', class: 'secondary', onclick: () => mount(panel) }, t('common.cancel')),
          ),
          s,
        ),
      ),
    );
  }
}

/** The day after an ISO day (YYYY-MM-DD): an access window's last day is included. */
function nextDay(iso) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
