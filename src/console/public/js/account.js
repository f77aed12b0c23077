// Everyone: password change and the handling-rules acknowledgement (取扱規程).
import { api } from './api.js';
import { field, h, mount, say, statusLine, when } from './dom.js';
import { t } from './i18n.js';
import { errorText } from './errors.js';

export function accountScreen(main, ctx) {
  const status = statusLine('password-change-status');
  const current = h('input', { type: 'password', autocomplete: 'current-password', required: true, 'data-test': 'current-password' });
  const next = h('input', { type: 'password', autocomplete: 'new-password', minlength: 12, required: true, 'data-test': 'change-new-password' });
  const again = h('input', { type: 'password', autocomplete: 'new-password', required: true, 'data-test': 'change-new-password-again' });
  const me = ctx.me;
  mount(
    main,
    h(
      'section',
      { class: 'card', 'data-test': 'account-screen' },
      h('h2', {}, t('account.title')),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('account.username')),
        h('dd', {}, me.username),
        h('dt', {}, t('account.roles')),
        h('dd', {}, me.roles.map((r) => t(`role.${r}`)).join(', ') || '—'),
        h('dt', {}, t('account.lastLogin')),
        h('dd', {}, when(me.lastLoginAt)),
        h('dt', {}, t('account.stepUpAt')),
        h('dd', {}, when(me.session?.stepUpAt)),
      ),
    ),
    h(
      'form',
      {
        class: 'card narrow',
        'data-test': 'password-change-form',
        onsubmit: async (e) => {
          e.preventDefault();
          if (next.value !== again.value) return say(status, t('pw.mismatch'), 'error');
          try {
            await api('POST', '/me/password', { currentPassword: current.value, newPassword: next.value });
            current.value = next.value = again.value = '';
            say(status, t('pw.changed'), 'ok');
          } catch (error) {
            say(status, errorText(error), 'error');
          }
        },
      },
      h('h2', {}, t('pw.changeTitle')),
      h('p', {}, t('pw.rules')),
      field(t('pw.current'), current),
      field(t('pw.new'), next),
      field(t('pw.again'), again),
      h('button', { type: 'submit', class: 'primary', 'data-test': 'password-change-submit' }, t('pw.change')),
      status,
    ),
  );
}

export async function trainingScreen(main, ctx) {
  const rules = await api('GET', '/me/training');
  const status = statusLine('training-status');
  const read = h('input', { type: 'checkbox', 'data-test': 'training-read' });
  const ack = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      disabled: true,
      'data-test': 'training-ack',
      onclick: async () => {
        try {
          await api('POST', '/me/training', { version: rules.version });
          await ctx.refreshMe();
          say(status, t('training.done'), 'ok');
          ctx.show(
            ctx.me.roles.includes('clerk') ? 'people' : ctx.me.roles.includes('auditor') ? 'audit' : ctx.me.roles.includes('admin') ? 'staff' : 'training',
          );
        } catch (error) {
          say(status, errorText(error), 'error');
        }
      },
    },
    t('training.ack'),
  );
  read.addEventListener('change', () => (ack.disabled = !read.checked));
  mount(
    main,
    h(
      'section',
      { class: 'card', 'data-test': 'training-screen' },
      h('h2', {}, `${t('training.title')} (${rules.version})`),
      h(
        'p',
        { class: rules.current ? 'ok' : 'warn', 'data-test': 'training-state' },
        rules.current ? t('training.current', { at: when(rules.acknowledgedAt) }) : t('training.notCurrent'),
      ),
      // each role reads the rules that apply to it (issue #22)
      (rules.sections ?? [{ role: 'clerk', title: rules.title, text: rules.text }]).map((section) =>
        h(
          'section',
          { class: 'rules-section', 'data-test': `training-rules-${section.role}` },
          h('h3', {}, section.title),
          h('pre', { class: 'rules' }, Array.isArray(section.text) ? section.text.join('\n') : String(section.text ?? '')),
        ),
      ),
      h('label', { class: 'check' }, read, ' ', t('training.readIt')),
      ack,
      status,
    ),
  );
}
