// Clerks: the people list with search and masked number status; register a person; the purposes
// they were told of; the identity check and storing or correcting the number (checked in the
// browser as it is typed, sent only on submit); reveal for a purpose, shown for REVEAL_SECONDS.
import { api, ApiError } from './api.js';
import { explainDue, retentionCards } from './filings.js';
import { field, h, mount, say, statusLine, table, when } from './dom.js';
import { getLang, t } from './i18n.js';
import { normaliseMyNumber } from './my-number.js';
import { identityDocumentsProblem } from './identity-check.js';
import { dateHint, dateInput, day, dayWithAge, isoOf } from './dates.js';
import { errorText } from './errors.js';

export const REVEAL_SECONDS = 30;
const KINDS = ['employee', 'dependent', 'payee'];

function nowLocal() {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}
const toIso = (local) => new Date(local).toISOString();

export function purposeLabel(reference, code) {
  const p = reference.purposes.find((x) => x.code === code);
  if (!p) return code;
  return getLang() === 'en' ? (p.labelEn ?? p.label) : p.label;
}

/** The masked status: never digits, only whether a number is on file and checked. */
export function maskedStatus(number) {
  if (!number?.onFile) return h('span', { class: 'badge none', 'data-test': 'number-status' }, t('number.none'));
  return h(
    'span',
    { class: 'badge ok', 'data-test': 'number-status' },
    `●●●● ●●●● ●●●● ${t('number.onFile')}${number.identityChecked ? ` · ${t('number.checked')}` : ''}`,
  );
}

export async function peopleScreen(main, ctx) {
  const status = statusLine('people-status');
  const q = h('input', { type: 'search', placeholder: t('people.searchHint'), 'data-test': 'people-search' });
  const kind = h(
    'select',
    { 'data-test': 'people-kind' },
    h('option', { value: '' }, t('people.allKinds')),
    KINDS.map((k) => h('option', { value: k }, t(`kind.${k}`))),
  );
  const leftFilter = h(
    'select',
    { 'data-test': 'people-state' },
    h('option', { value: '' }, t('people.allStates')),
    h('option', { value: 'active' }, t('people.active')),
    h('option', { value: 'left' }, t('people.left')),
  );
  const listBox = h('div', { class: 'list' });
  const detail = h('div', { class: 'detail', 'data-test': 'person-detail' });
  let cursor = null;

  mount(
    main,
    h(
      'section',
      { class: 'card', 'data-test': 'people-screen' },
      h('h2', {}, t('people.title')),
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
        field(t('people.state'), leftFilter),
        h('button', { type: 'submit', class: 'primary', 'data-test': 'people-search-submit' }, t('common.search')),
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'data-test': 'people-new',
            onclick: () =>
              registerForm(detail, ctx, (id) => {
                load();
                openPerson(detail, ctx, id, load);
              }),
          },
          t('people.register'),
        ),
      ),
      status,
      listBox,
    ),
    detail,
  );
  await load();

  async function load(more = false) {
    try {
      const page = await api('GET', '/subjects', undefined, {
        query: { q: q.value.trim(), kind: kind.value, status: leftFilter.value, cursor: more ? cursor : undefined },
      });
      cursor = page.nextCursor;
      const rows = page.items;
      const grid = table(
        [
          { label: t('people.code'), cell: (s) => s.code },
          { label: t('people.name'), cell: (s) => h('span', {}, s.name, s.nameKana ? h('small', { class: 'kana' }, ` ${s.nameKana}`) : null) },
          { label: t('people.kind'), cell: (s) => t(`kind.${s.kind}`) },
          { label: t('people.leftAt'), cell: (s) => day(s.leftAt) },
          { label: t('number.title'), cell: (s) => maskedStatus(s.number) },
          {
            label: '',
            cell: (s) =>
              h(
                'button',
                { type: 'button', class: 'secondary', 'data-test': `open-${s.code}`, onclick: () => openPerson(detail, ctx, s.id, load) },
                t('common.open'),
              ),
          },
        ],
        rows,
        'people-table',
      );
      mount(
        listBox,
        rows.length ? grid : h('p', {}, t('common.empty')),
        cursor ? h('button', { type: 'button', class: 'link', onclick: () => load(true) }, t('common.more')) : null,
      );
      say(status, '');
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }
}

function registerForm(box, ctx, done) {
  const status = statusLine('register-status');
  const kind = h(
    'select',
    { 'data-test': 'reg-kind' },
    KINDS.map((k) => h('option', { value: k }, t(`kind.${k}`))),
  );
  const code = h('input', { required: true, maxlength: 40, pattern: '[A-Za-z0-9._\\-]+', 'data-test': 'reg-code' });
  const name = h('input', { required: true, maxlength: 100, 'data-test': 'reg-name' });
  const kana = h('input', { maxlength: 100, 'data-test': 'reg-kana' });
  const employee = h('select', { 'data-test': 'reg-employee' }, h('option', { value: '' }, '—'));
  const employeeQ = h('input', { type: 'search', placeholder: t('people.searchHint'), 'data-test': 'reg-employee-q' });
  const hired = dateInput({ 'data-test': 'reg-hired' });
  const left = dateInput({ 'data-test': 'reg-left' });
  const employeeField = h(
    'div',
    { class: 'row' },
    field(t('people.employeeSearch'), employeeQ),
    field(t('people.employee'), employee, t('people.employeeHint')),
  );
  employeeField.hidden = true;
  let searching = 0;
  async function findEmployees() {
    const mine = ++searching;
    const page = await api('GET', '/subjects', undefined, { query: { kind: 'employee', q: employeeQ.value.trim() } }).catch(() => ({ items: [] }));
    if (mine !== searching) return; // a newer search is under way
    employee.replaceChildren(h('option', { value: '' }, '—'), ...page.items.map((e) => h('option', { value: e.id }, `${e.code} ${e.name}`)));
    if (page.items.length === 1) employee.value = page.items[0].id;
  }
  employeeQ.addEventListener('input', findEmployees);
  kind.addEventListener('change', () => {
    employeeField.hidden = kind.value !== 'dependent';
    if (kind.value === 'dependent') findEmployees();
  });
  mount(
    box,
    h(
      'form',
      {
        class: 'card',
        'data-test': 'register-form',
        onsubmit: async (e) => {
          e.preventDefault();
          const body = { kind: kind.value, code: code.value.trim(), name: name.value.trim() };
          if (kana.value.trim()) body.nameKana = kana.value.trim();
          if (kind.value === 'dependent') body.employeeId = employee.value || undefined;
          const [hiredOn, leftOn] = [isoOf(hired), isoOf(left)];
          if (hiredOn === undefined || leftOn === undefined) return say(status, t('date.invalid'), 'error');
          if (hiredOn) body.hiredAt = hiredOn;
          if (leftOn) body.leftAt = leftOn;
          try {
            const created = await api('POST', '/subjects', body);
            done(created.id);
          } catch (error) {
            say(status, errorText(error), 'error');
          }
        },
      },
      h('h2', {}, t('people.register')),
      h('div', { class: 'row' }, field(t('people.kind'), kind), field(t('people.code'), code), field(t('people.name'), name), field(t('people.kana'), kana)),
      employeeField,
      h('div', { class: 'row' }, field(t('people.hiredAt'), hired, dateHint()), field(t('people.leftAt'), left, dateHint())),
      h('button', { type: 'submit', class: 'primary', 'data-test': 'reg-submit' }, t('people.registerSubmit')),
      status,
    ),
  );
  code.focus();
}

/** One person: facts, purposes told, identity check + number, reveal. */
export async function openPerson(box, ctx, id, changed = () => undefined) {
  const person = await api('GET', `/subjects/${id}`);
  const told = new Set((person.purposes ?? []).map((p) => p.purpose));
  const applicable = ctx.reference.purposes.filter((p) => !p.kinds || p.kinds.includes(person.kind));
  mount(
    box,
    h(
      'section',
      { class: 'card', 'data-test': 'person-card' },
      h('h2', {}, `${person.name} (${person.code})`),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('people.kind')),
        h('dd', {}, t(`kind.${person.kind}`)),
        h('dt', {}, t('people.hiredAt')),
        h('dd', {}, day(person.hiredAt)),
        h('dt', {}, t('people.leftAt')),
        h('dd', { 'data-test': 'person-left-at' }, day(person.leftAt)),
        h('dt', {}, t('number.title')),
        h('dd', {}, maskedStatus(person.number)),
        h('dt', {}, t('number.storedAt')),
        h('dd', {}, when(person.number?.storedAt)),
        h('dt', {}, t('number.identityCheck')),
        h(
          'dd',
          { 'data-test': 'identity-summary' },
          person.number?.identityCheck
            ? `${docLabel(ctx, person.number.identityCheck.numberDocument)} / ${person.number.identityCheck.identityDocuments.map((d) => docLabel(ctx, d)).join('、')} · ${when(person.number.identityCheck.checkedAt)}`
            : '—',
        ),
        ...(await familyFacts(box, ctx, person, changed)),
      ),
    ),
    leaveForm(person, () => {
      changed();
      return openPerson(box, ctx, id, changed);
    }),
    ...(await retentionCards(ctx, person, () => openPerson(box, ctx, id, changed))),
    purposesForm(ctx, person, applicable, told, () => openPerson(box, ctx, id, changed)),
    numberForm(ctx, person, () => {
      changed();
      return openPerson(box, ctx, id, changed);
    }),
    revealPanel(
      ctx,
      person,
      applicable.filter((p) => told.has(p.code)),
    ),
  );
  return box;
}

/** An employee's 配偶者・扶養親族, or a dependent's employee, each with a button that opens them. */
async function familyFacts(box, ctx, person, changed) {
  const open = (s) =>
    h(
      'button',
      { type: 'button', class: 'link', 'data-test': `family-${s.code}`, onclick: () => openPerson(box, ctx, s.id, changed) },
      `${s.name} (${s.code})`,
    );
  if (person.kind === 'employee') {
    const page = await api('GET', '/subjects', undefined, { query: { employeeId: person.id } }).catch(() => ({ items: [] }));
    const items = page.items.filter((d) => d.id !== person.id);
    return [
      h('dt', {}, t('people.dependents')),
      h('dd', { 'data-test': 'person-dependents' }, items.length ? items.map((d, i) => [i ? '、' : '', open(d)]) : t('people.noDependents')),
    ];
  }
  if (person.employeeId) {
    const employee = await api('GET', `/subjects/${person.employeeId}`).catch(() => null);
    return [h('dt', {}, t('people.employee')), h('dd', { 'data-test': 'person-employee' }, employee ? open(employee) : '—')];
  }
  return [];
}

function docLabel(ctx, code) {
  return ctx.reference.identityDocuments.find((d) => d.code === code)?.label ?? code;
}

/**
 * The leave date (employee left, dependent removed, payee contract ended): it moves the disposal
 * date. Saved through PUT /subjects/:id/leave, which answers the computed 廃棄可能日 and its rule.
 */
function leaveForm(person, reload) {
  const status = statusLine('leave-status');
  const left = dateInput({ value: person.leftAt ?? '', 'data-test': 'leave-date' });
  return h(
    'form',
    {
      class: 'card',
      'data-test': 'leave-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const value = isoOf(left);
        if (value === undefined) return say(status, t('date.invalid'), 'error');
        try {
          const saved = await api('PUT', `/subjects/${person.id}/leave`, { leftAt: value });
          const box = await reload();
          sayIn(box, 'leave-status', savedLeaveText(saved.retention), 'ok');
        } catch (error) {
          say(status, errorText(error), 'error');
        }
      },
    },
    h('h3', {}, t('people.leaveTitle')),
    h('p', { class: 'hint' }, t('people.leaveHint')),
    h(
      'div',
      { class: 'row' },
      field(t('people.leftAt'), left, dateHint()),
      h('button', { type: 'submit', class: 'secondary', 'data-test': 'leave-submit' }, t('people.leaveSave')),
    ),
    status,
  );
}

/** 「保存しました。廃棄可能日：2027年2月1日（規則）」, or why there is none yet. */
export function savedLeaveText(retention) {
  if (!retention?.dueOn) return `${t('common.saved')} ${explainDue(retention ?? {})}`;
  const rule = retention.rule === 'left' ? t('ret.ruleLeft') : (retention.ruleLabel ?? retention.rule ?? '');
  return t('people.leaveSaved', { due: dayWithAge(retention.dueOn), rule });
}

/** Writes into a status line of a freshly rendered screen (the save re-renders the person). */
function sayIn(box, testId, text, kind) {
  const el = box?.querySelector?.(`[data-test="${testId}"]`);
  if (el) say(el, text, kind);
}

function purposesForm(ctx, person, applicable, told, reload) {
  const status = statusLine('purposes-status');
  const boxes = applicable.map((p) => h('input', { type: 'checkbox', value: p.code, checked: told.has(p.code), 'data-test': `purpose-${p.code}` }));
  const at = h('input', { type: 'datetime-local', value: nowLocal(), required: true, 'data-test': 'purposes-at' });
  return h(
    'form',
    {
      class: 'card',
      'data-test': 'purposes-form',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api('PUT', `/subjects/${person.id}/purposes`, { purposes: boxes.filter((b) => b.checked).map((b) => b.value), notifiedAt: toIso(at.value) });
          const box = await reload();
          sayIn(box, 'purposes-status', t('common.saved'), 'ok');
        } catch (error) {
          say(status, errorText(error), 'error');
        }
      },
    },
    h('h3', {}, t('purposes.title')),
    h('p', { class: 'hint' }, t('purposes.explain')),
    h(
      'div',
      { class: 'checks' },
      applicable.map((p, i) => h('label', { class: 'check' }, boxes[i], ' ', purposeLabel(ctx.reference, p.code))),
    ),
    field(t('purposes.at'), at),
    h('button', { type: 'submit', class: 'secondary', 'data-test': 'purposes-submit' }, t('purposes.save')),
    status,
  );
}

function numberForm(ctx, person, reload) {
  const status = statusLine('number-status-line');
  const feedback = h('p', { class: 'feedback', 'aria-live': 'polite', 'data-test': 'number-feedback' });
  // autocomplete off and no name: the browser keeps no form history of the number
  const input = h('input', {
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: 64,
    'data-test': 'number-input',
    'aria-describedby': 'number-feedback',
  });
  feedback.id = 'number-feedback';
  const docs = ctx.reference.identityDocuments;
  const numberDoc = h(
    'select',
    { 'data-test': 'number-document' },
    docs.filter((d) => d.numberProof).map((d) => h('option', { value: d.code }, d.label)),
  );
  const idBoxes = docs.filter((d) => d.identityProof !== 'none').map((d) => h('input', { type: 'checkbox', value: d.code, 'data-test': `id-doc-${d.code}` }));
  const syncCard = () => {
    const card = numberDoc.value === 'my-number-card';
    for (const b of idBoxes)
      if (b.value === 'my-number-card') {
        b.checked = card;
        b.disabled = !card;
      }
  };
  numberDoc.addEventListener('change', syncCard);
  const checkedAt = h('input', { type: 'datetime-local', value: nowLocal(), required: true, 'data-test': 'checked-at' });
  const submit = h(
    'button',
    { type: 'submit', class: 'primary', disabled: true, 'data-test': 'number-submit' },
    person.number?.onFile ? t('number.correct') : t('number.store'),
  );
  const check = () => {
    const result = normaliseMyNumber(input.value);
    if (input.value === '') say(feedback, t('mn.prompt'));
    else if (result.ok) say(feedback, t('mn.ok'), 'ok');
    else say(feedback, t(result.reason, { count: result.count }), 'error');
    submit.disabled = !result.ok;
  };
  input.addEventListener('input', check);
  check();
  const form = h(
    'form',
    {
      class: 'card',
      'data-test': 'number-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const result = normaliseMyNumber(input.value);
        if (!result.ok) return;
        const identityDocuments = idBoxes.filter((b) => b.checked).map((b) => b.value);
        // the rule from config/ (GET /console/reference): say what is missing before sending anything
        const problem = identityDocumentsProblem(docs, ctx.reference.identityRule ?? { photo: 1, nonPhoto: 2 }, numberDoc.value, identityDocuments);
        if (problem) return say(status, t(`error.${problem}`, ctx.reference.identityRule ?? {}), 'error');
        say(status, '');
        try {
          await api('PUT', `/subjects/${person.id}/number`, {
            number: result.digits,
            identityCheck: { numberDocument: numberDoc.value, identityDocuments, checkedAt: toIso(checkedAt.value) },
          });
        } catch (error) {
          // never clear what the clerk typed on an error: they correct the cause and send again
          say(status, errorText(error), 'error');
          return;
        }
        input.value = '';
        check();
        await reload();
      },
    },
    h('h3', {}, person.number?.onFile ? t('number.correctTitle') : t('number.storeTitle')),
    field(t('number.input'), input),
    feedback,
    h(
      'fieldset',
      {},
      h('legend', {}, t('number.identityCheck')),
      field(t('number.numberDocument'), numberDoc),
      h(
        'div',
        { class: 'checks' },
        h('span', { class: 'field-label' }, t('number.identityDocuments')),
        idBoxes.map((b) => h('label', { class: 'check' }, b, ' ', docLabel(ctx, b.value))),
      ),
      h('p', { class: 'hint' }, t('number.identityHint')),
      field(t('number.checkedAt'), checkedAt),
    ),
    submit,
    status,
  );
  syncCard();
  return form;
}

function revealPanel(ctx, person, purposes) {
  const status = statusLine('reveal-status');
  const purpose = h(
    'select',
    { 'data-test': 'reveal-purpose' },
    purposes.map((p) => h('option', { value: p.code }, purposeLabel(ctx.reference, p.code))),
  );
  const shown = h('output', { class: 'revealed', 'data-test': 'revealed-number', 'data-state': 'hidden' }, t('reveal.hidden'));
  const countdown = h('span', { class: 'countdown', 'data-test': 'reveal-countdown' });
  let timer = null;
  let left = 0;
  const hide = () => {
    clearInterval(timer);
    timer = null;
    shown.textContent = t('reveal.hidden');
    shown.dataset.state = 'hidden';
    countdown.textContent = '';
    hideButton.hidden = true;
  };
  const hideButton = h('button', { type: 'button', class: 'secondary', hidden: true, 'data-test': 'reveal-hide', onclick: hide }, t('reveal.hideNow'));
  const button = h(
    'button',
    { type: 'button', class: 'danger', disabled: !purposes.length || !person.number?.onFile, 'data-test': 'reveal-button', onclick: reveal },
    t('reveal.button'),
  );

  async function reveal() {
    say(status, '');
    try {
      const answer = await ctx.stepUp.withStepUp(() => api('POST', `/subjects/${person.id}/number/reveal`, { purpose: purpose.value }));
      if (!answer) return say(status, t('stepup.cancelled'), 'warn');
      const digits = answer.number;
      shown.textContent = `${digits.slice(0, 4)} ${digits.slice(4, 8)} ${digits.slice(8)}`;
      shown.dataset.state = 'shown';
      hideButton.hidden = false;
      left = REVEAL_SECONDS;
      countdown.textContent = t('reveal.countdown', { s: left });
      clearInterval(timer);
      timer = setInterval(() => {
        left -= 1;
        if (left <= 0 || !shown.isConnected) return hide();
        countdown.textContent = t('reveal.countdown', { s: left });
      }, 1000);
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  return h(
    'section',
    { class: 'card', 'data-test': 'reveal-panel' },
    h('h3', {}, t('reveal.title')),
    h('p', { class: 'hint' }, purposes.length ? t('reveal.explain', { s: REVEAL_SECONDS }) : t('reveal.noPurpose')),
    h('div', { class: 'row' }, field(t('reveal.purpose'), purpose), button),
    h('div', { class: 'reveal-box' }, shown, countdown, hideButton),
    status,
  );
}
