// The submitter's page (issue #15): an employee opens their collection link on a phone, reads and
// acknowledges the purposes and handling, enters their number (checked as it is typed, never sent
// before submit), photographs the documents the identity rules ask for, adds dependents, submits.
// No account: the link's token is in the URL fragment (never sent to the server in the request
// line) and goes to the API in the X-Collection-Token header. Built with createElement only.
import { h, mount } from './dom.js';
import { normaliseMyNumber } from './my-number.js';
import { getLang, onLangChange, setLang, tr } from './collect-i18n.js';

const root = document.getElementById('app');
const token = location.hash.slice(1);
const state = {
  info: null,
  closedCode: null,
  acknowledgedAt: null,
  provide: true,
  number: '',
  reason: '',
  numberDoc: 'my-number-card',
  idDocs: [],
  photos: {},
  dependents: [],
  sending: false,
  done: false,
  error: '',
};

function headers() {
  return { 'X-Collection-Token': token, Accept: 'application/json' };
}

async function load() {
  try {
    const res = await fetch('/collect/link', { method: 'POST', headers: headers(), cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' });
    const body = await res.json().catch(() => null);
    if (!res.ok) state.closedCode = body?.code ?? 'generic';
    else state.info = body;
  } catch {
    state.closedCode = 'generic';
  }
  state.reason = state.info?.notProvidedReasons?.[0] ?? '';
  render();
}

function docLabel(code) {
  return state.info.identityDocuments.find((d) => d.code === code)?.label ?? code;
}

function when(iso) {
  return new Date(iso).toLocaleString(getLang() === 'en' ? 'en-GB' : 'ja-JP', {
    timeZone: 'Asia/Tokyo',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

function errorText(code) {
  const key = `err.${code}`;
  const text = tr(key);
  return text === key ? tr('err.generic') : text;
}

/** The photos the chosen documents need: each document's front, the My Number card's back too. */
function wantedPhotos() {
  if (!state.provide) return [];
  return photoKeys([...new Set([state.numberDoc, ...neededIdDocs()])]);
}

function neededIdDocs() {
  const doc = state.info.identityDocuments.find((d) => d.code === state.numberDoc);
  return doc?.identityProof === 'both' ? [state.numberDoc] : state.idDocs;
}

function numberFeedback(value, testId) {
  const out = h('output', { class: 'feedback', 'aria-live': 'polite', 'data-test': testId });
  const update = (v) => {
    if (!v) {
      out.textContent = '';
      out.dataset.kind = '';
      return;
    }
    const r = normaliseMyNumber(v);
    out.textContent = r.ok ? tr('mn.ok') : tr(r.reason, { count: r.count });
    out.dataset.kind = r.ok ? 'ok' : 'error';
  };
  update(value);
  return { out, update };
}

function numberInput(value, onValue, testId) {
  const feedback = numberFeedback(value, `${testId}-feedback`);
  const input = h('input', {
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    maxlength: 20,
    value,
    'data-test': testId,
    'aria-describedby': `${testId}-hint`,
    oninput: (e) => {
      onValue(e.target.value);
      feedback.update(e.target.value);
    },
  });
  return [input, h('small', { id: `${testId}-hint`, class: 'hint' }, tr('c.numberHint')), feedback.out];
}

function noticeSection() {
  const { info } = state;
  const ack = h('input', {
    type: 'checkbox',
    'data-test': 'ack',
    checked: !!state.acknowledgedAt,
    onchange: (e) => {
      state.acknowledgedAt = e.target.checked ? new Date().toISOString() : null;
      render();
    },
  });
  return h(
    'section',
    { class: 'card', 'data-test': 'notice' },
    h('h2', {}, tr('c.step1')),
    h('h3', {}, tr('c.purposes')),
    h(
      'ul',
      {},
      info.notice.purposes.map((p) => h('li', {}, getLang() === 'en' ? p.labelEn : p.label)),
    ),
    h('h3', {}, tr('c.dependentPurposes')),
    h(
      'ul',
      {},
      info.notice.dependentPurposes.map((p) => h('li', {}, getLang() === 'en' ? p.labelEn : p.label)),
    ),
    h('h3', {}, tr('c.handling')),
    h(
      'ul',
      {},
      (getLang() === 'en' ? info.notice.handlingSummaryEn : info.notice.handlingSummary).map((line) => h('li', {}, line)),
    ),
    h('label', { class: 'check' }, ack, h('span', {}, tr('c.ack'))),
  );
}

function reasonSelect(value, onValue, testId) {
  return h(
    'select',
    { 'data-test': testId, onchange: (e) => onValue(e.target.value) },
    state.info.notProvidedReasons.map((r) => h('option', { value: r, selected: r === value }, tr(`reason.${r}`))),
  );
}

function numberSection() {
  const choice = (provide, label, testId) =>
    h(
      'label',
      { class: 'check' },
      h('input', {
        type: 'radio',
        name: 'provide',
        checked: state.provide === provide,
        'data-test': testId,
        onchange: () => {
          state.provide = provide;
          render();
        },
      }),
      h('span', {}, label),
    );
  return h(
    'section',
    { class: 'card', 'data-test': 'number-section' },
    h('h2', {}, tr('c.step2')),
    choice(true, tr('c.provide'), 'provide-yes'),
    choice(false, tr('c.notProvide'), 'provide-no'),
    state.provide
      ? h('label', { class: 'field' }, h('span', {}, tr('c.number')), ...numberInput(state.number, (v) => (state.number = v), 'number'))
      : h(
          'label',
          { class: 'field' },
          h('span', {}, tr('c.reason')),
          reasonSelect(state.reason, (v) => (state.reason = v), 'not-provided-reason'),
        ),
  );
}

/** One photo input; `store` holds the chosen files by key (the submitter's state, or a dependent's). */
function photoInput(key, store = state.photos, testPrefix = '') {
  const [code, side] = key.split(':');
  const chosen = store[key];
  const maxMb = Math.floor(state.info.maxImageBytes / 1024 / 1024);
  const note = h('small', { class: 'hint', 'data-test': `photo-note-${testPrefix}${key}` }, chosen ? `✓ ${chosen.name}` : '');
  const input = h('input', {
    type: 'file',
    accept: 'image/jpeg,image/png,image/heic,image/heif,.heic,.heif',
    'data-test': `photo-${testPrefix}${key}`,
    onchange: (e) => {
      const file = e.target.files?.[0];
      if (!file) return;
      if (file.size > state.info.maxImageBytes) {
        note.textContent = tr('c.photoTooLarge', { mb: maxMb });
        note.dataset.kind = 'error';
        e.target.value = '';
        delete store[key];
        return;
      }
      store[key] = file;
      note.textContent = `✓ ${file.name}`;
      note.dataset.kind = 'ok';
    },
  });
  return h(
    'label',
    { class: 'field photo' },
    h('span', {}, tr('c.photo', { doc: docLabel(code), side: tr(side === 'back' ? 'c.back' : 'c.front') })),
    input,
    note,
  );
}

/** A dependent's photos, only when the company's notice asks for them (config/collection-notice.json dependentPhotos). */
function dependentWantedPhotos(dep) {
  if (!state.info.dependentPhotos || !dep.provide) return [];
  return photoKeys([...new Set([dep.numberDoc, ...dependentIdDocs(dep)])]);
}

function dependentIdDocs(dep) {
  const doc = state.info.identityDocuments.find((x) => x.code === dep.numberDoc);
  return doc?.identityProof === 'both' ? [dep.numberDoc] : [];
}

function photoKeys(codes) {
  return codes.flatMap((code) => (code === 'my-number-card' ? [`${code}:front`, `${code}:back`] : [`${code}:front`]));
}

function documentsSection() {
  const docs = state.info.identityDocuments;
  const numberDocs = docs.filter((d) => d.numberProof);
  const numberDoc = docs.find((d) => d.code === state.numberDoc);
  const maxMb = Math.floor(state.info.maxImageBytes / 1024 / 1024);
  const idChoices =
    numberDoc?.identityProof === 'both'
      ? null
      : h(
          'fieldset',
          { 'data-test': 'id-docs' },
          h('legend', {}, tr('c.idDocs')),
          docs
            .filter((d) => d.identityProof === 'photo' || d.identityProof === 'non-photo')
            .map((d) =>
              h(
                'label',
                { class: 'check' },
                h('input', {
                  type: 'checkbox',
                  checked: state.idDocs.includes(d.code),
                  'data-test': `id-doc-${d.code}`,
                  onchange: (e) => {
                    state.idDocs = e.target.checked ? [...state.idDocs, d.code] : state.idDocs.filter((c) => c !== d.code);
                    render();
                  },
                }),
                h('span', {}, d.label),
              ),
            ),
        );
  return h(
    'section',
    { class: 'card', 'data-test': 'documents' },
    h('h2', {}, tr('c.step3')),
    h('p', {}, tr('c.docsExplain')),
    h(
      'label',
      { class: 'field' },
      h('span', {}, tr('c.numberDoc')),
      h(
        'select',
        {
          'data-test': 'number-doc',
          onchange: (e) => {
            state.numberDoc = e.target.value;
            render();
          },
        },
        numberDocs.map((d) => h('option', { value: d.code, selected: d.code === state.numberDoc }, d.label)),
      ),
    ),
    idChoices,
    h('p', { class: 'hint' }, tr('c.photoHint', { mb: maxMb })),
    wantedPhotos().map((key) => photoInput(key)),
  );
}

function dependentCard(dep, index) {
  const numberDocs = state.info.identityDocuments.filter((d) => d.numberProof);
  const set = (key) => (e) => (dep[key] = e.target.value);
  return h(
    'fieldset',
    { class: 'dependent', 'data-test': `dependent-${index}` },
    h('legend', {}, `${tr('c.step4').replace(/^4\. /, '')} ${index + 1}`),
    h(
      'label',
      { class: 'field' },
      h('span', {}, tr('c.depName')),
      h('input', { type: 'text', value: dep.name, autocomplete: 'off', maxlength: 100, 'data-test': `dep-name-${index}`, oninput: set('name') }),
    ),
    h(
      'label',
      { class: 'field' },
      h('span', {}, tr('c.depKana')),
      h('input', { type: 'text', value: dep.nameKana, autocomplete: 'off', maxlength: 100, 'data-test': `dep-kana-${index}`, oninput: set('nameKana') }),
    ),
    h(
      'label',
      { class: 'field' },
      h('span', {}, tr('c.relationship')),
      h(
        'select',
        { 'data-test': `dep-rel-${index}`, onchange: set('relationship') },
        state.info.relationships.map((r) => h('option', { value: r, selected: r === dep.relationship }, tr(`rel.${r}`))),
      ),
    ),
    h(
      'label',
      { class: 'check' },
      h('input', {
        type: 'checkbox',
        checked: !dep.provide,
        'data-test': `dep-not-provide-${index}`,
        onchange: (e) => {
          dep.provide = !e.target.checked;
          render();
        },
      }),
      h('span', {}, tr('c.notProvide')),
    ),
    dep.provide
      ? [
          h('label', { class: 'field' }, h('span', {}, tr('c.number')), ...numberInput(dep.number, (v) => (dep.number = v), `dep-number-${index}`)),
          h(
            'label',
            { class: 'field' },
            h('span', {}, tr('c.depDoc')),
            h(
              'select',
              {
                'data-test': `dep-doc-${index}`,
                onchange: (e) => {
                  dep.numberDoc = e.target.value;
                  render();
                },
              },
              numberDocs.map((d) => h('option', { value: d.code, selected: d.code === dep.numberDoc }, d.label)),
            ),
          ),
          dependentWantedPhotos(dep).map((key) => photoInput(key, dep.photos, `dep-${index}-`)),
        ]
      : h(
          'label',
          { class: 'field' },
          h('span', {}, tr('c.reason')),
          reasonSelect(dep.reason, (v) => (dep.reason = v), `dep-reason-${index}`),
        ),
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'data-test': `dep-remove-${index}`,
        onclick: () => {
          state.dependents.splice(index, 1);
          render();
        },
      },
      tr('c.removeDep'),
    ),
  );
}

function dependentsSection() {
  return h(
    'section',
    { class: 'card', 'data-test': 'dependents' },
    h('h2', {}, tr('c.step4')),
    h('p', {}, tr(state.info.dependentPhotos ? 'c.depExplainPhotos' : 'c.depExplain')),
    state.dependents.map(dependentCard),
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'data-test': 'add-dependent',
        onclick: () => {
          state.dependents.push({
            name: '',
            nameKana: '',
            relationship: state.info.relationships[0],
            provide: true,
            number: '',
            reason: state.info.notProvidedReasons[0],
            numberDoc: 'my-number-card',
            photos: {},
          });
          render();
        },
      },
      tr('c.addDep'),
    ),
  );
}

function formData() {
  const data = {
    acknowledged: true,
    noticeVersion: state.info.notice.version,
    acknowledgedAt: state.acknowledgedAt,
    identityDocuments: [],
    dependents: state.dependents.map((d) => {
      const base = { name: d.name.trim(), relationship: d.relationship, ...(d.nameKana.trim() ? { nameKana: d.nameKana.trim() } : {}) };
      if (!d.provide) return { ...base, notProvidedReason: d.reason };
      return { ...base, number: d.number, numberDocument: d.numberDoc, identityDocuments: dependentIdDocs(d) };
    }),
  };
  if (state.provide) {
    data.number = state.number;
    data.numberDocument = state.numberDoc;
    data.identityDocuments = neededIdDocs();
  } else {
    data.notProvidedReason = state.reason;
  }
  const form = new FormData();
  form.append('data', JSON.stringify(data));
  for (const key of wantedPhotos()) if (state.photos[key]) form.append(key, state.photos[key], state.photos[key].name);
  state.dependents.forEach((d, i) => {
    for (const key of dependentWantedPhotos(d)) if (d.photos[key]) form.append(`dependents[${i}]/${key}`, d.photos[key], d.photos[key].name);
  });
  return form;
}

/** What the page can tell before sending (the server checks everything again). */
function localProblems() {
  const problems = [];
  if (state.provide && !normaliseMyNumber(state.number).ok) problems.push(tr('c.number'));
  for (const key of wantedPhotos())
    if (!state.photos[key]) problems.push(tr('c.photo', { doc: docLabel(key.split(':')[0]), side: tr(key.endsWith('back') ? 'c.back' : 'c.front') }));
  state.dependents.forEach((d, i) => {
    if (!d.name.trim()) problems.push(`${tr('c.depName')} ${i + 1}`);
    if (d.provide && !normaliseMyNumber(d.number).ok) problems.push(`${tr('c.number')} ${i + 1}`);
    for (const key of dependentWantedPhotos(d))
      if (!d.photos[key])
        problems.push(
          `${d.name.trim() || i + 1}: ${tr('c.photo', { doc: docLabel(key.split(':')[0]), side: tr(key.endsWith('back') ? 'c.back' : 'c.front') })}`,
        );
  });
  return problems;
}

async function send() {
  const problems = localProblems();
  if (problems.length) {
    state.error = tr('c.fix', { what: problems.join('、') });
    render();
    return;
  }
  state.sending = true;
  state.error = '';
  render();
  try {
    const res = await fetch('/collect/submission', {
      method: 'POST',
      headers: headers(),
      body: formData(),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    const body = await res.json().catch(() => null);
    if (res.ok) {
      state.done = true;
      state.number = '';
      state.photos = {};
      state.dependents = [];
    } else if (['collection.link-used', 'collection.link-expired', 'collection.link-cancelled', 'collection.link-unknown'].includes(body?.code)) {
      state.closedCode = body.code;
    } else {
      state.error = errorText(body?.code ?? 'generic');
    }
  } catch {
    state.error = tr('err.generic');
  }
  state.sending = false;
  render();
}

function render() {
  document.documentElement.lang = getLang();
  document.title = tr('c.title');
  const top = h(
    'header',
    { class: 'top' },
    h('h1', {}, tr('c.title')),
    h('button', { type: 'button', class: 'link', 'data-test': 'lang-switch', onclick: () => setLang(getLang() === 'ja' ? 'en' : 'ja') }, tr('c.lang')),
  );
  if (state.closedCode) {
    mount(
      root,
      top,
      h(
        'section',
        { class: 'card closed', 'data-test': 'closed', 'data-code': state.closedCode },
        h('h2', {}, tr('c.closedTitle')),
        h('p', {}, errorText(state.closedCode)),
      ),
    );
    return;
  }
  if (!state.info) {
    mount(root, top, h('p', {}, tr('c.loading')));
    return;
  }
  const { info } = state;
  const intro = h(
    'section',
    { class: 'intro' },
    h('p', { class: 'greeting', 'data-test': 'greeting' }, tr('c.greeting', { name: info.greetingName })),
    h('p', {}, tr('c.intro', { company: info.company })),
    h('p', { class: 'hint' }, tr('c.expires', { at: when(info.expiresAt) })),
    info.returnReason ? h('p', { class: 'banner warn', 'data-test': 'returned' }, tr('c.returned', { reason: tr(`ret.${info.returnReason}`) })) : null,
  );
  if (state.done) {
    mount(root, top, intro, h('section', { class: 'card done', 'data-test': 'done', role: 'status' }, h('p', {}, tr('c.done'))));
    return;
  }
  const rest = state.acknowledgedAt
    ? [
        numberSection(),
        state.provide ? documentsSection() : null,
        dependentsSection(),
        h(
          'p',
          { class: 'status', role: 'status', 'aria-live': 'polite', 'data-test': 'submit-status', 'data-kind': state.error ? 'error' : '' },
          state.sending ? tr('c.submitting') : state.error,
        ),
        h('button', { type: 'button', class: 'primary', 'data-test': 'submit', disabled: state.sending, onclick: send }, tr('c.submit')),
      ]
    : [];
  mount(root, top, intro, noticeSection(), rest);
}

onLangChange(render);
render();
if (token) load();
else {
  state.closedCode = 'collection.link-unknown';
  render();
}
