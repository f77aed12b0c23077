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
  async function send(share) {
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
  }
  // The printed sheet's QR code, photographed or scanned: decoded here in the page (jsQR), then sent like a typed share.
  const image = h('input', {
    type: 'file',
    accept: 'image/*',
    'data-test': 'unseal-qr-image',
    onchange: async () => {
      const file = image.files?.[0];
      image.value = '';
      if (!file) return;
      const text = await readQr(file).catch(() => null);
      if (!text) {
        say(line, t('unseal.qrNotFound'), 'error');
        return;
      }
      await send(text);
    },
  });
  const form = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        await send(input.value.trim());
      },
    },
    field(t('unseal.share'), input, t('unseal.shareHint')),
    h('label', { class: 'check' }, show, ' ', t('unseal.show')),
    button,
    typeof globalThis.jsQR === 'function' ? field(t('unseal.qrImage'), image, t('unseal.qrImageHint')) : null,
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

/** The text of the QR code in an image file, or null (large photos are scaled down to 1600 px first). */
async function readQr(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
  const width = Math.round(bitmap.width * scale);
  const height = Math.round(bitmap.height * scale);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const pixels = context.getImageData(0, 0, width, height);
  const found = globalThis.jsQR(pixels.data, width, height);
  context.clearRect(0, 0, width, height);
  return found?.data?.trim() || null;
}

async function load() {
  const res = await api('GET', '/custody/status');
  status = res.ok ? res.body : null;
  render();
}

onLangChange(render);
void load();
