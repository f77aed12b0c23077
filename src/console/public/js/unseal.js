// The unseal page (issue #18): while the vault is sealed (custody mode, after a start), key
// holders enter their shares here, one after another; the k-th valid share unseals. The share is
// sent once and never kept in the page or the browser.
import { field, h, mount, say, statusLine } from './dom.js';
import { getLang, onLangChange, setLang, t } from './i18n.js';

const app = document.getElementById('app');
let status = null;

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    credentials: 'omit',
    cache: 'no-store',
  });
  const json = await res.json().catch(() => ({}));
  return { ok: res.ok, status: res.status, body: json };
}

function errorText(body) {
  const key = `unseal.err.${body.code ?? ''}`;
  const text = t(key);
  return text === key ? t('unseal.err.other') : text;
}

function render() {
  document.title = t('unseal.title');
  const line = statusLine('unseal-status');
  const input = h('input', { type: 'password', autocomplete: 'off', spellcheck: 'false', 'data-test': 'unseal-share', 'aria-label': t('unseal.share') });
  const show = h('input', { type: 'checkbox', 'data-test': 'unseal-show', onchange: () => (input.type = show.checked ? 'text' : 'password') });
  const button = h('button', { type: 'submit', class: 'primary', 'data-test': 'unseal-submit' }, t('unseal.submit'));
  const form = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        const share = input.value.trim();
        if (!share) return;
        button.disabled = true;
        const res = await api('POST', '/custody/unseal', { share });
        input.value = '';
        button.disabled = false;
        if (!res.ok) {
          say(line, errorText(res.body), 'error');
          return;
        }
        status = res.body;
        render();
        say(document.querySelector('[data-test="unseal-status"]'), status.sealed ? t('unseal.accepted') : t('unseal.done'), 'ok');
      },
    },
    field(t('unseal.share'), input, t('unseal.shareHint')),
    h('label', { class: 'check' }, show, ' ', t('unseal.show')),
    button,
  );
  const progress = !status
    ? t('unseal.loading')
    : status.mode !== 'custody'
      ? t('unseal.autoMode')
      : status.sealed
        ? t('unseal.progress', { received: status.received, threshold: status.threshold, shares: status.shares })
        : t('unseal.unsealed');
  mount(
    app,
    h(
      'header',
      { class: 'topbar' },
      h('h1', {}, t('unseal.title')),
      h('button', { type: 'button', class: 'link', 'data-test': 'lang', onclick: () => setLang(getLang() === 'ja' ? 'en' : 'ja') }, t('unseal.lang')),
    ),
    h(
      'section',
      { class: 'card' },
      h('p', { 'data-test': 'unseal-progress' }, progress),
      h('p', { class: 'hint' }, t('unseal.explain')),
      status?.sealed ? form : null,
      line,
      !status?.sealed && status?.mode === 'custody' ? h('p', {}, h('a', { href: '/console' }, t('unseal.toConsole'))) : null,
    ),
  );
}

async function load() {
  const res = await api('GET', '/custody/status');
  status = res.ok ? res.body : null;
  render();
}

onLangChange(render);
void load();
