// The console shell: login, then a header with the person and the language switch, a navigation
// by role, and one screen at a time. The session ends on logout, after IDLE_MINUTES without
// input, or as soon as the server answers 401 (checked every POLL_SECONDS and whenever the page
// comes back into view: a deactivated person's open page returns to the login screen within
// seconds of being looked at; issue #22 made the poll quieter than every 3 seconds).
import { api, hasSession, setToken, whenUnauthorized } from './api.js';
import { h, mount } from './dom.js';
import { getLang, onLangChange, setLang, t } from './i18n.js';
import { renderLogin } from './login.js';
import { createStepUp } from './step-up.js';
import { accountScreen, trainingScreen } from './account.js';
import { peopleScreen } from './people.js';
import { bulkScreen } from './bulk.js';
import { auditScreen } from './audit.js';
import { staffScreen } from './staff.js';
import { retentionScreen } from './retention.js';
import { rosterScreen } from './roster.js';
import { collectionScreen } from './collection.js';
import { inventoryScreen } from './inventory.js';
import { errorText } from './errors.js';
import { keysScreen } from './keys.js';
import { myShareScreen } from './my-share.js';
import { reportScreen } from './report.js';
import { approvalsScreen } from './approvals.js';
import { firmsScreen } from './firms.js';
import { breachesScreen } from './breaches.js';
import { networkScreen } from './network.js';

const POLL_SECONDS = 15;
const IDLE_MINUTES = 10;

const SCREENS = [
  { id: 'people', roles: ['clerk'], label: 'nav.people', render: peopleScreen },
  { id: 'bulk', roles: ['clerk'], label: 'nav.bulk', render: bulkScreen },
  { id: 'collection', roles: ['clerk'], label: 'nav.collection', render: collectionScreen },
  { id: 'audit', roles: ['auditor'], label: 'nav.audit', render: auditScreen },
  { id: 'staff', roles: ['admin'], label: 'nav.staff', render: staffScreen },
  { id: 'retention', roles: ['admin'], label: 'nav.retention', render: retentionScreen },
  // 承認 (issue #19): the responsible person decides; admins and auditors see what waits and what was decided
  { id: 'approvals', roles: ['responsible', 'admin', 'auditor'], label: 'nav.approvals', render: approvalsScreen },
  { id: 'inventory', roles: ['admin', 'responsible', 'auditor'], label: 'nav.inventory', render: inventoryScreen },
  { id: 'roster', roles: ['admin'], label: 'nav.roster', render: rosterScreen },
  { id: 'keys', roles: ['admin'], label: 'nav.keys', render: keysScreen },
  // 委託先, 漏えい等報告, IP許可リスト (issue #19)
  { id: 'firms', roles: ['admin'], label: 'nav.firms', render: firmsScreen },
  { id: 'breaches', roles: ['admin', 'responsible'], label: 'nav.breaches', render: breachesScreen },
  { id: 'network', roles: ['admin'], label: 'nav.network', render: networkScreen },
  // 取扱状況の確認 (issue #19): the monthly report; the responsible person signs it off
  { id: 'report', roles: ['responsible', 'auditor', 'admin'], label: 'nav.report', render: reportScreen },
  // key holders only (custody mode, issue #18): collect the unseal share once
  { id: 'my-share', roles: null, label: 'nav.myShare', render: myShareScreen, when: () => state.custody?.holder },
  { id: 'training', roles: null, label: 'nav.training', render: trainingScreen },
  { id: 'account', roles: null, label: 'nav.account', render: accountScreen },
];

const root = document.getElementById('app');
const state = { me: null, reference: null, screen: null, poll: null, idle: null, loginNotice: null, custody: null };
const stepUp = createStepUp();

function header() {
  const langButton = h(
    'button',
    { type: 'button', class: 'link', 'data-test': 'lang-switch', onclick: () => setLang(getLang() === 'ja' ? 'en' : 'ja') },
    getLang() === 'ja' ? 'English' : '日本語',
  );
  return h(
    'header',
    { class: 'top' },
    h('h1', {}, t('app.title')),
    h(
      'div',
      { class: 'who' },
      state.me
        ? h('span', { 'data-test': 'who' }, `${state.me.displayName} (${state.me.username}) · ${state.me.roles.map((r) => t(`role.${r}`)).join(', ')}`)
        : null,
      langButton,
      state.me ? h('button', { type: 'button', class: 'secondary', 'data-test': 'logout', onclick: () => logout('logout.done') }, t('nav.logout')) : null,
    ),
  );
}

function screensFor(me) {
  return SCREENS.filter((s) => (!s.roles || s.roles.some((r) => me.roles.includes(r))) && (!s.when || s.when()));
}

function render() {
  document.documentElement.lang = getLang();
  document.title = t('app.title');
  const main = h('main', { id: 'main' });
  if (!hasSession() || !state.me) {
    mount(root, header(), main, h('footer', {}, t('app.footer')));
    renderLogin(main, startSession, state.loginNotice);
    return;
  }
  const available = screensFor(state.me);
  if (!state.screen || !available.some((s) => s.id === state.screen)) state.screen = available[0].id;
  const nav = h(
    'nav',
    { class: 'tabs', 'aria-label': t('nav.label') },
    available.map((s) =>
      h(
        'button',
        { type: 'button', 'data-test': `nav-${s.id}`, 'aria-current': s.id === state.screen ? 'page' : undefined, onclick: () => show(s.id) },
        t(s.label),
      ),
    ),
  );
  // only clerks see numbers: the others are not told that numbers wait for their acknowledgement (issue #22)
  const bannerKey = state.me.roles.includes('clerk') ? 'training.banner' : 'training.bannerNoNumbers';
  const banner = state.me.trainingCurrent ? null : h('p', { class: 'banner warn', 'data-test': 'training-banner' }, t(bannerKey));
  const shareBanner =
    state.custody?.waiting && state.screen !== 'my-share'
      ? h(
          'p',
          { class: 'banner warn', 'data-test': 'share-banner' },
          t('share.banner'),
          ' ',
          h('button', { type: 'button', class: 'link', onclick: () => show('my-share') }, t('share.open')),
        )
      : null;
  mount(root, header(), nav, banner, shareBanner, main, h('footer', {}, t('app.footer')));
  const screen = SCREENS.find((s) => s.id === state.screen);
  const ctx = { me: state.me, reference: state.reference, stepUp, refreshMe, show, refreshCustody };
  Promise.resolve(screen.render(main, ctx)).catch((error) => mount(main, h('p', { class: 'status', 'data-kind': 'error' }, errorText(error))));
}

function show(id) {
  state.screen = id;
  render();
}

/** Whether this person holds a key share, and whether one waits to be collected (the nav and the banner follow it). */
async function refreshCustody() {
  state.custody = await api('GET', '/custody/my-share').catch(() => null);
  return state.custody;
}

async function refreshMe() {
  state.me = await api('GET', '/me');
  return state.me;
}

async function startSession(session) {
  setToken(session.token);
  state.loginNotice = null;
  try {
    await refreshMe();
    state.reference = await api('GET', '/console/reference');
    await refreshCustody();
  } catch (error) {
    if (hasSession()) endLocal(errorText(error)); // (a 401 has already returned to the login screen)
    return;
  }
  state.screen = state.me.trainingCurrent ? null : 'training';
  startWatch();
  render();
}

/** Ends the session here and on the server (best effort), back to the login screen with a message. */
async function logout(messageKey) {
  if (hasSession()) await api('POST', '/auth/logout').catch(() => undefined);
  endLocal(t(messageKey));
}

function endLocal(notice) {
  setToken(null);
  stopWatch();
  stepUp.close();
  state.me = null;
  state.reference = null;
  state.custody = null;
  state.screen = null;
  state.loginNotice = notice;
  render();
}

// The session ended on the server (deactivated, second factor reset, expired): say so in words, never the server's English.
whenUnauthorized(() => endLocal(t('logout.ended')));

function checkSession() {
  if (!hasSession()) return;
  api('GET', '/me')
    .then((me) => {
      const trainingChanged = me.trainingCurrent !== state.me?.trainingCurrent;
      state.me = me;
      if (trainingChanged) render();
    })
    .catch(() => undefined);
}

/** Back in view (another tab, a window in front): check at once rather than at the next tick. */
function onVisible() {
  if (document.visibilityState === 'visible') checkSession();
}

function startWatch() {
  stopWatch();
  state.poll = setInterval(checkSession, POLL_SECONDS * 1000);
  resetIdle();
  for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, resetIdle, true);
  document.addEventListener('visibilitychange', onVisible);
  window.addEventListener('focus', checkSession);
}

function stopWatch() {
  clearInterval(state.poll);
  clearTimeout(state.idle);
  for (const type of ['pointerdown', 'keydown']) document.removeEventListener(type, resetIdle, true);
  document.removeEventListener('visibilitychange', onVisible);
  window.removeEventListener('focus', checkSession);
}

function resetIdle() {
  clearTimeout(state.idle);
  state.idle = setTimeout(() => logout('logout.idle'), IDLE_MINUTES * 60_000);
}

onLangChange(render);
render();
