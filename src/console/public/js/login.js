// Login: password → (first login: new password) → (no second factor yet: enrol with a QR code,
// recovery codes shown once) → TOTP or recovery code → session. See docs/security.md "Login flow".
import { api, ApiError } from './api.js';
import { field, h, mount, say, statusLine } from './dom.js';
import { t } from './i18n.js';
import qrcode from '/console/vendor/qrcode.mjs';
import { errorText } from './errors.js';

/** Renders the login screens into `main`; calls onSession({ token, expiresAt }) at the end. */
export function renderLogin(main, onSession, notice) {
  const status = statusLine('login-status');
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, 'data-test': 'username' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-test': 'password' });
  const form = h(
    'form',
    { class: 'card narrow', 'data-test': 'login-form', onsubmit: (e) => submit(e) },
    h('h2', {}, t('login.title')),
    field(t('login.username'), username),
    field(t('login.password'), password),
    h('button', { type: 'submit', class: 'primary', 'data-test': 'login-submit' }, t('login.submit')),
    status,
  );
  mount(main, form);
  if (notice) say(status, notice, 'warn');
  username.focus();

  async function submit(e) {
    e.preventDefault();
    say(status, t('common.working'));
    try {
      const answer = await retryWhenBusy(() => api('POST', '/auth/login', { username: username.value.trim(), password: password.value }), status);
      password.value = '';
      next(main, answer, onSession);
    } catch (error) {
      say(status, loginError(error), 'error');
    }
  }
}

/** How often a login refused as busy (503 auth.busy: many people logging in) is tried again by itself. */
const BUSY_RETRIES = 8;

/**
 * Runs `call`; while the server answers 503 auth.busy (password checks are at their limit during a
 * login storm), says so kindly and tries again after its Retry-After (with a little jitter, so the
 * people refused together do not come back together).
 */
async function retryWhenBusy(call, status) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const busy = error instanceof ApiError && error.status === 503 && error.body?.code === 'auth.busy';
      if (!busy || attempt >= BUSY_RETRIES) throw error;
      const seconds = Math.min(30, error.retryAfter ?? 2);
      say(status, t('login.busy', { seconds }), 'warn');
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000 * (0.75 + Math.random() / 2)));
      say(status, t('common.working'));
    }
  }
}

/** The words for a failed login step: by the server's code (errors.js), the busy case after its retries. */
function loginError(error) {
  if (error instanceof ApiError && error.status === 503 && error.body?.code === 'auth.busy') return t('login.busyGaveUp');
  return errorText(error);
}

function next(main, answer, onSession) {
  if (answer.next === 'change-password') return renderInitialPassword(main, answer.challenge, onSession);
  if (answer.next === 'enrol') return renderEnrol(main, answer.challenge, onSession);
  return renderSecondFactor(main, answer.challenge, onSession);
}

function renderInitialPassword(main, challenge, onSession) {
  const status = statusLine('password-status');
  const pw = h('input', { type: 'password', autocomplete: 'new-password', minlength: 12, required: true, 'data-test': 'new-password' });
  const again = h('input', { type: 'password', autocomplete: 'new-password', required: true, 'data-test': 'new-password-again' });
  mount(
    main,
    h(
      'form',
      { class: 'card narrow', 'data-test': 'initial-password-form', onsubmit: submit },
      h('h2', {}, t('pw.initialTitle')),
      h('p', {}, t('pw.rules')),
      field(t('pw.new'), pw),
      field(t('pw.again'), again),
      h('button', { type: 'submit', class: 'primary', 'data-test': 'new-password-submit' }, t('common.next')),
      status,
    ),
  );
  pw.focus();
  async function submit(e) {
    e.preventDefault();
    if (pw.value !== again.value) return say(status, t('pw.mismatch'), 'error');
    try {
      const answer = await retryWhenBusy(() => api('POST', '/auth/password', { challenge, newPassword: pw.value }), status);
      next(main, answer, onSession);
    } catch (error) {
      say(status, loginError(error), 'error');
    }
  }
}

/** The otpauth URL as an SVG QR code, built with DOM calls (no markup strings, no data URL). */
export function qrSvg(text) {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const count = qr.getModuleCount();
  const margin = 4;
  const size = count + margin * 2;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('enrol.qrAlt'));
  const bg = document.createElementNS(ns, 'rect');
  bg.setAttribute('width', String(size));
  bg.setAttribute('height', String(size));
  bg.setAttribute('fill', '#fff');
  svg.append(bg);
  let d = '';
  for (let r = 0; r < count; r++) for (let c = 0; c < count; c++) if (qr.isDark(r, c)) d += `M${c + margin} ${r + margin}h1v1h-1z`;
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(path);
  return svg;
}

function renderEnrol(main, challenge, onSession) {
  const status = statusLine('enrol-status');
  const code = h('input', {
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxlength: 6,
    required: true,
    'data-test': 'enrol-code',
  });
  const qrBox = h('div', { class: 'qr-box', 'data-test': 'enrol-qr' });
  const secretBox = h('code', { class: 'secret', 'data-test': 'enrol-secret' });
  mount(
    main,
    h(
      'form',
      { class: 'card narrow', 'data-test': 'enrol-form', onsubmit: submit },
      h('h2', {}, t('enrol.title')),
      h('p', {}, t('enrol.scan')),
      qrBox,
      h('p', {}, t('enrol.manual'), ' ', secretBox),
      field(t('enrol.code'), code),
      h('button', { type: 'submit', class: 'primary', 'data-test': 'enrol-submit' }, t('enrol.activate')),
      status,
    ),
  );
  api('POST', '/auth/totp/enrol', { challenge })
    .then((answer) => {
      mount(qrBox, qrSvg(answer.otpauthUrl));
      secretBox.textContent = answer.secret.replace(/(.{4})(?=.)/g, '$1 ');
      code.focus();
    })
    .catch((error) => say(status, loginError(error), 'error'));

  async function submit(e) {
    e.preventDefault();
    try {
      const session = await api('POST', '/auth/totp/activate', { challenge, code: code.value.trim() });
      secretBox.textContent = '';
      renderRecoveryCodes(main, session, onSession);
    } catch (error) {
      say(status, loginError(error), 'error');
    }
  }
}

function renderRecoveryCodes(main, session, onSession) {
  const codes = session.recoveryCodes ?? [];
  const list = h(
    'ol',
    { class: 'recovery-codes', 'data-test': 'recovery-codes' },
    codes.map((c) => h('li', {}, h('code', {}, c))),
  );
  const confirm = h('input', { type: 'checkbox', 'data-test': 'recovery-confirm' });
  const go = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      disabled: true,
      'data-test': 'recovery-done',
      onclick: () => {
        list.replaceChildren(); // shown once: gone from the page as soon as the person goes on
        onSession({ token: session.token, expiresAt: session.expiresAt });
      },
    },
    t('recovery.continue'),
  );
  confirm.addEventListener('change', () => (go.disabled = !confirm.checked));
  mount(
    main,
    h(
      'section',
      { class: 'card narrow', 'data-test': 'recovery-screen' },
      h('h2', {}, t('recovery.title')),
      h('p', {}, t('recovery.explain')),
      list,
      h('label', { class: 'check' }, confirm, ' ', t('recovery.confirm')),
      go,
    ),
  );
}

function renderSecondFactor(main, challenge, onSession, useRecovery = false) {
  const status = statusLine('totp-status');
  const input = useRecovery
    ? h('input', { autocomplete: 'off', required: true, 'data-test': 'recovery-code' })
    : h('input', { inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, required: true, 'data-test': 'totp-code' });
  mount(
    main,
    h(
      'form',
      { class: 'card narrow', 'data-test': 'totp-form', onsubmit: submit },
      h('h2', {}, useRecovery ? t('totp.recoveryTitle') : t('totp.title')),
      field(useRecovery ? t('totp.recoveryCode') : t('totp.code'), input),
      h('button', { type: 'submit', class: 'primary', 'data-test': 'totp-submit' }, t('login.submit')),
      h(
        'button',
        { type: 'button', class: 'link', 'data-test': 'totp-switch', onclick: () => renderSecondFactor(main, challenge, onSession, !useRecovery) },
        useRecovery ? t('totp.useApp') : t('totp.useRecovery'),
      ),
      status,
    ),
  );
  input.focus();
  async function submit(e) {
    e.preventDefault();
    try {
      const session = useRecovery
        ? await api('POST', '/auth/recovery', { challenge, recoveryCode: input.value.trim() })
        : await api('POST', '/auth/totp', { challenge, code: input.value.trim() });
      onSession(session);
    } catch (error) {
      say(status, loginError(error), 'error');
    }
  }
}
