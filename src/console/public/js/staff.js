// Admins: the staff inventory (dormant flags, training, second factor), create an account
// (initial password shown once), change roles, deactivate (sessions end at once), reset 2FA.
import { api } from './api.js';
import { field, h, mount, say, statusLine, table, when } from './dom.js';
import { t } from './i18n.js';
import { errorText } from './errors.js';

const ROLES = ['clerk', 'auditor', 'admin'];

export async function staffScreen(main, ctx) {
  const status = statusLine('staff-status');
  const list = h('div', { class: 'list' });
  const panel = h('div', { 'data-test': 'staff-panel' });
  const showDeactivated = h('input', { type: 'checkbox', 'data-test': 'staff-show-deactivated' });
  showDeactivated.addEventListener('change', () => load());
  mount(
    main,
    h(
      'section',
      { class: 'card', 'data-test': 'staff-screen' },
      h('h2', {}, t('staff.title')),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'data-test': 'staff-new', onclick: () => createForm() }, t('staff.create')),
        h('label', { class: 'check' }, showDeactivated, ' ', t('staff.showDeactivated')),
      ),
      status,
      list,
    ),
    panel,
  );
  await load();

  async function load() {
    try {
      const page = await api('GET', '/users', undefined, { query: { status: showDeactivated.checked ? undefined : 'active', limit: 500 } });
      mount(
        list,
        table(
          [
            { label: t('staff.username'), cell: (u) => h('span', { 'data-test': `user-${u.username}` }, u.username) },
            { label: t('staff.displayName'), cell: (u) => u.displayName },
            {
              label: t('account.roles'),
              cell: (u) => (u.roles.map((r) => t(`role.${r}`)).join(', ') || '—') + (u.sodException ? ` ⚠ ${t('staff.sodException')}` : ''),
            },
            { label: t('staff.status'), cell: (u) => h('span', { class: `badge ${u.status === 'active' ? 'ok' : 'none'}` }, t(`staff.${u.status}`)) },
            { label: t('account.lastLogin'), cell: (u) => when(u.lastLoginAt) },
            { label: t('staff.totp'), cell: (u) => (u.totpEnrolled ? '✓' : '—') },
            {
              label: t('staff.training'),
              cell: (u) => (u.trainingCurrent ? `✓ ${when(u.trainingAcknowledgedAt)}` : h('span', { class: 'badge warn' }, t('staff.trainingDue'))),
            },
            { label: t('staff.dormant'), cell: (u) => (u.dormant ? h('span', { class: 'badge warn', 'data-test': 'dormant' }, t('staff.dormantFlag')) : '—') },
            {
              label: '',
              cell: (u) =>
                u.status === 'active'
                  ? h('button', { type: 'button', class: 'secondary', 'data-test': `manage-${u.username}`, onclick: () => manage(u) }, t('staff.manage'))
                  : '',
            },
          ],
          page.items,
          'staff-table',
        ),
      );
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  function roleBoxes(selected) {
    return ROLES.map((r) => h('input', { type: 'checkbox', value: r, checked: selected.includes(r), 'data-test': `role-${r}` }));
  }

  function createForm() {
    const formStatus = statusLine('staff-create-status');
    const username = h('input', { required: true, maxlength: 32, autocomplete: 'off', 'data-test': 'staff-username' });
    // the server's rule (src/users/username.ts), said as it is typed: 3–32, a letter first, stored lower-case
    const usernameFeedback = h('p', { class: 'feedback', 'aria-live': 'polite', 'data-test': 'staff-username-feedback' });
    username.addEventListener('input', () => {
      const typed = username.value.trim();
      const stored = typed.toLowerCase();
      if (typed === '') say(usernameFeedback, '');
      else if (!/^[a-z][a-z0-9._-]{2,31}$/.test(stored)) say(usernameFeedback, t('error.username.invalid'), 'error');
      else if (stored !== typed) say(usernameFeedback, t('staff.usernameLowered', { username: stored }), 'warn');
      else say(usernameFeedback, t('staff.usernameOk'), 'ok');
    });
    const displayName = h('input', { required: true, maxlength: 100, 'data-test': 'staff-display-name' });
    const boxes = roleBoxes(['clerk']);
    mount(
      panel,
      h(
        'form',
        {
          class: 'card narrow',
          'data-test': 'staff-create-form',
          onsubmit: async (e) => {
            e.preventDefault();
            try {
              const created = await api('POST', '/users', {
                username: username.value.trim(),
                displayName: displayName.value.trim(),
                roles: boxes.filter((b) => b.checked).map((b) => b.value),
              });
              mount(
                panel,
                h(
                  'section',
                  { class: 'card narrow', 'data-test': 'staff-created' },
                  h('h3', {}, t('staff.created', { username: created.username })),
                  h('p', {}, t('staff.initialPassword')),
                  h('p', {}, h('code', { class: 'secret', 'data-test': 'initial-password' }, created.initialPassword)),
                  h('button', { type: 'button', class: 'primary', onclick: () => mount(panel) }, t('common.done')),
                ),
              );
              await load();
            } catch (error) {
              say(formStatus, errorText(error), 'error');
            }
          },
        },
        h('h3', {}, t('staff.create')),
        field(t('staff.username'), username, t('staff.usernameHint')),
        usernameFeedback,
        field(t('staff.displayName'), displayName),
        h(
          'div',
          { class: 'checks' },
          boxes.map((b) => h('label', { class: 'check' }, b, ' ', t(`role.${b.value}`))),
        ),
        h('button', { type: 'submit', class: 'primary', 'data-test': 'staff-create-submit' }, t('staff.createSubmit')),
        formStatus,
      ),
    );
    username.focus();
  }

  function manage(user) {
    const s = statusLine('staff-manage-status');
    const boxes = roleBoxes(user.roles);
    const reason = h('input', { required: true, maxlength: 500, 'data-test': 'deactivate-reason' });
    const act = (fn, doneKey) => async (e) => {
      e?.preventDefault?.();
      try {
        await fn();
        say(s, t(doneKey), 'ok');
        await load();
      } catch (error) {
        say(s, errorText(error), 'error');
      }
    };
    mount(
      panel,
      h(
        'section',
        { class: 'card', 'data-test': 'staff-manage' },
        h('h3', {}, `${user.displayName} (${user.username})`),
        h(
          'form',
          { onsubmit: act(() => api('PATCH', `/users/${user.id}`, { roles: boxes.filter((b) => b.checked).map((b) => b.value) }), 'staff.rolesSaved') },
          h(
            'div',
            { class: 'checks' },
            boxes.map((b) => h('label', { class: 'check' }, b, ' ', t(`role.${b.value}`))),
          ),
          h('button', { type: 'submit', class: 'secondary', 'data-test': 'roles-save' }, t('staff.saveRoles')),
        ),
        h(
          'form',
          { onsubmit: act(() => api('POST', `/users/${user.id}/totp/reset`), 'staff.totpReset') },
          h('p', { class: 'hint' }, t('staff.resetHint')),
          h('button', { type: 'submit', class: 'secondary', 'data-test': 'totp-reset' }, t('staff.resetTotp')),
        ),
        h(
          'form',
          {
            onsubmit: act(async () => {
              if (!window.confirm(t('staff.confirmDeactivate', { username: user.username }))) throw new Error(t('common.cancelled'));
              await api('POST', `/users/${user.id}/deactivate`, { reason: reason.value.trim() });
              mount(panel);
            }, 'staff.deactivatedDone'),
          },
          field(t('staff.reason'), reason, t('staff.deactivateHint')),
          h('button', { type: 'submit', class: 'danger', 'data-test': 'deactivate' }, t('staff.deactivate')),
        ),
        s,
      ),
    );
  }
}
