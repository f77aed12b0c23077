// IP許可リスト (issue #19; ガイドライン別添1 技術的安全管理措置): per role, the addresses (CIDR) the
// API may be used from; an empty list lets the role in from anywhere. Admins change them; before a
// list is saved that would leave out the admin's own current address (as the server sees it), the
// screen warns and does not send it (the server refuses it too: 409 network.would-lock-out).
import { api } from './api.js';
import { field, h, mount, say, statusLine, when } from './dom.js';
import { t } from './i18n.js';
import { errorText } from './errors.js';
import { listAllows, parseCidr } from './cidr.js';

const ROLES = ['clerk', 'auditor', 'admin', 'responsible'];

export async function networkScreen(main, ctx) {
  const status = statusLine('network-status');
  const body = h('div', { 'data-test': 'network-body' });
  mount(
    main,
    h(
      'section',
      { class: 'card', 'data-test': 'network-screen' },
      h('h2', {}, t('network.title')),
      h('p', { class: 'hint' }, t('network.intro')),
      status,
      body,
    ),
  );
  await load();

  async function load() {
    try {
      const answer = await api('GET', '/network/allow-list');
      const byRole = new Map(answer.items.map((i) => [i.role, i]));
      mount(
        body,
        h(
          'p',
          { 'data-test': 'network-your-address' },
          t('network.yourAddress'),
          ' ',
          h('code', { translate: 'no', 'data-test': 'your-address' }, answer.yourAddress ?? '—'),
        ),
        ROLES.map((role) => roleCard(role, byRole.get(role), answer.yourAddress)),
      );
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  function roleCard(role, current, yourAddress) {
    const s = statusLine(`network-status-${role}`);
    const warning = h('p', { class: 'warn', hidden: true, 'data-test': `lockout-warning-${role}` });
    const text = h(
      'textarea',
      { rows: 3, cols: 40, spellcheck: 'false', 'data-test': `cidrs-${role}`, placeholder: t('network.placeholder') },
      (current?.cidrs ?? []).join('\n'),
    );
    const entries = () =>
      text.value
        .split(/[\s,]+/)
        .map((x) => x.trim())
        .filter(Boolean);
    const mine = ctx.me.roles.includes(role);
    /** The warning, when this list would leave out the admin's own address; true when saving must not go ahead. */
    const check = () => {
      const list = entries();
      const locksOut = mine && list.length > 0 && yourAddress && list.every((e) => parseCidr(e)) && !listAllows(list, yourAddress);
      warning.hidden = !locksOut;
      warning.textContent = locksOut ? t('network.lockoutWarning', { address: yourAddress, role: t(`role.${role}`) }) : '';
      return Boolean(locksOut);
    };
    text.addEventListener('input', check);
    const save = async () => {
      const list = entries();
      const invalid = list.filter((e) => !parseCidr(e));
      if (invalid.length) return say(s, t('network.invalidEntries', { list: invalid.join('、') }), 'error');
      if (check()) return say(s, t('network.notSaved'), 'error');
      try {
        await api('PUT', `/network/allow-list/${role}`, { cidrs: list });
        await load();
        say(status, t('network.saved', { role: t(`role.${role}`) }), 'ok');
      } catch (error) {
        say(s, errorText(error), 'error');
      }
    };
    return h(
      'section',
      { class: 'card', 'data-test': `allow-list-${role}` },
      h('h3', {}, t(`role.${role}`)),
      h(
        'p',
        { 'data-test': `allow-list-state-${role}` },
        current?.cidrs.length ? t('network.restricted', { n: current.cidrs.length }) : t('network.anywhere'),
        current ? h('small', { class: 'hint' }, ' ', t('network.setBy'), ' ', h('span', { translate: 'no' }, current.setBy), ` ${when(current.setAt)}`) : null,
      ),
      field(t('network.entries'), text, t('network.entriesHint')),
      warning,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', 'data-test': `save-${role}`, onclick: save }, t('network.save'))),
      s,
    );
  }
}
