// Admins: key custody and key versions (issue #18). Switch to custody (k of n named holders) or
// rekey, see who has collected their share and the rekey tasks opened when a holder left, switch
// back to auto-unseal (k shares or a fresh TOTP code), and list KEK versions: ask to retire an
// old one, confirm another admin's request (a second person), or withdraw it.
import { api } from './api.js';
import { field, h, mount, say, statusLine, table, when } from './dom.js';
import { t } from './i18n.js';
import { errorText } from './errors.js';

export async function keysScreen(main, ctx) {
  const custodyBox = h('section', { class: 'card', 'data-test': 'custody-card' });
  const tasksBox = h('section', { class: 'card', 'data-test': 'custody-tasks-card' });
  const setupBox = h('section', { class: 'card', 'data-test': 'custody-setup-card' });
  const leaveBox = h('section', { class: 'card', 'data-test': 'custody-leave-card' });
  const versionsBox = h('section', { class: 'card', 'data-test': 'key-versions-card' });
  mount(main, custodyBox, tasksBox, setupBox, leaveBox, versionsBox);

  async function load() {
    const [custody, users] = await Promise.all([api('GET', '/custody'), api('GET', '/users', undefined, { query: { status: 'active', limit: 500 } })]);
    renderCustody(custody);
    renderTasks(custody);
    renderSetup(custody, users.items);
    renderLeave(custody);
    await loadVersions();
  }

  function renderCustody(c) {
    const custodyMode = c.mode === 'custody';
    mount(
      custodyBox,
      h('h2', {}, t('keys.custodyTitle')),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('keys.mode')),
        h('dd', { 'data-test': 'custody-mode' }, custodyMode ? t('keys.mode.custody', { threshold: c.threshold, shares: c.shares }) : t('keys.mode.auto')),
        custodyMode ? [h('dt', {}, t('keys.setId')), h('dd', {}, h('code', {}, c.setId))] : null,
      ),
      h('p', { class: 'hint' }, custodyMode ? t('keys.mode.custodyExplain') : t('keys.mode.autoExplain')),
      custodyMode
        ? table(
            [
              { label: t('keys.holder'), cell: (x) => x.username },
              {
                label: t('keys.collected'),
                cell: (x) =>
                  x.collected
                    ? h('span', { class: 'badge ok', 'data-test': `holder-collected-${x.username}` }, t('keys.collectedYes'))
                    : h('span', { class: 'badge warn', 'data-test': `holder-waiting-${x.username}` }, t('keys.collectedNo')),
              },
            ],
            c.holders,
            'custody-holders',
          )
        : null,
      custodyMode && c.holders.some((x) => !x.collected) ? h('p', { class: 'warn' }, t('keys.uncollectedWarn')) : null,
    );
  }

  function renderTasks(c) {
    mount(
      tasksBox,
      h('h2', {}, t('keys.tasksTitle')),
      c.tasks.length
        ? [
            h('p', { class: 'warn', 'data-test': 'rekey-needed' }, t('keys.tasksExplain')),
            table(
              [
                { label: t('keys.holder'), cell: (x) => h('span', { 'data-test': `rekey-task-${x.username}` }, x.username) },
                { label: t('keys.taskReason'), cell: (x) => (x.reason === 'share holder deactivated' ? t('keys.taskReason.deactivated') : x.reason) },
                { label: t('keys.taskOpened'), cell: (x) => when(x.openedAt) },
              ],
              c.tasks,
              'rekey-tasks',
            ),
          ]
        : h('p', { class: 'hint', 'data-test': 'rekey-none' }, t('keys.tasksNone')),
    );
  }

  function renderSetup(c, users) {
    const status = statusLine('custody-setup-status');
    const rekey = c.mode === 'custody';
    const current = new Set(c.holders.map((x) => x.userId));
    const boxes = users.map((u) =>
      h('input', { type: 'checkbox', value: u.id, checked: rekey && current.has(u.id), 'data-test': `custody-holder-${u.username}`, onchange: () => count() }),
    );
    const threshold = h('input', {
      type: 'number',
      min: 1,
      max: 10,
      value: c.threshold ?? 2,
      required: true,
      'data-test': 'custody-threshold',
      oninput: () => count(),
    });
    const nLine = h('p', { 'data-test': 'custody-n' });
    const understood = h('input', { type: 'checkbox', required: true, 'data-test': 'custody-understood' });
    function count() {
      const n = boxes.filter((b) => b.checked).length;
      const k = Number(threshold.value);
      nLine.textContent = t('keys.kOfN', { threshold: k || '—', shares: n });
      nLine.className = k < 2 || k > n ? 'warn' : 'hint';
    }
    count();
    mount(
      setupBox,
      h('h2', {}, rekey ? t('keys.rekeyTitle') : t('keys.setupTitle')),
      h('p', {}, rekey ? t('keys.rekeyExplain') : t('keys.setupExplain')),
      h(
        'form',
        {
          'data-test': 'custody-form',
          onsubmit: async (e) => {
            e.preventDefault();
            const holders = boxes.filter((b) => b.checked).map((b) => b.value);
            try {
              await api('POST', '/custody/shares', { threshold: Number(threshold.value), holders });
              await load();
              await ctx.refreshCustody?.();
              say(statusLineIn(custodyBox), t('keys.issued'), 'ok');
            } catch (error) {
              say(status, errorText(error), 'error');
            }
          },
        },
        h(
          'fieldset',
          {},
          h('legend', {}, t('keys.holders')),
          h(
            'div',
            { class: 'checks' },
            users.map((u, i) => h('label', { class: 'check' }, boxes[i], ' ', `${u.displayName} (${u.username})`)),
          ),
        ),
        field(t('keys.threshold'), threshold, t('keys.thresholdHint')),
        nLine,
        h('label', { class: 'check' }, understood, ' ', t('keys.understood')),
        h('button', { type: 'submit', class: 'primary', 'data-test': 'custody-submit' }, rekey ? t('keys.rekeySubmit') : t('keys.setupSubmit')),
        status,
      ),
    );
  }

  /** The status line under the custody card (after a successful issue the form is rebuilt). */
  function statusLineIn(box) {
    let line = box.querySelector('[data-test="custody-status"]');
    if (!line) {
      line = statusLine('custody-status');
      box.append(line);
    }
    return line;
  }

  function renderLeave(c) {
    if (c.mode !== 'custody') {
      mount(leaveBox);
      leaveBox.hidden = true;
      return;
    }
    leaveBox.hidden = false;
    const status = statusLine('custody-leave-status');
    const shares = h('textarea', { rows: 3, autocomplete: 'off', spellcheck: 'false', 'data-test': 'custody-leave-shares' });
    const understood = h('input', { type: 'checkbox', required: true, 'data-test': 'custody-leave-understood' });
    mount(
      leaveBox,
      h('h2', {}, t('keys.leaveTitle')),
      h('p', {}, t('keys.leaveExplain')),
      h('p', { class: 'warn' }, t('keys.leaveWarn')),
      h(
        'form',
        {
          'data-test': 'custody-leave-form',
          onsubmit: async (e) => {
            e.preventDefault();
            const list = shares.value
              .split(/\n+/)
              .map((s) => s.trim())
              .filter(Boolean);
            try {
              const done = await ctx.stepUp.withStepUp(() => api('POST', '/custody/auto-unseal', list.length ? { shares: list } : {}));
              shares.value = '';
              if (!done) return;
              await load();
              say(statusLineIn(custodyBox), t('keys.left'), 'ok');
            } catch (error) {
              say(status, errorText(error), 'error');
            }
          },
        },
        field(t('keys.leaveShares'), shares, t('keys.leaveSharesHint', { threshold: c.threshold })),
        h('label', { class: 'check' }, understood, ' ', t('keys.leaveUnderstood')),
        h('button', { type: 'submit', class: 'danger', 'data-test': 'custody-leave-submit' }, t('keys.leaveSubmit')),
        status,
      ),
    );
  }

  async function loadVersions() {
    const status = statusLine('key-versions-status');
    const versions = await api('GET', '/keys/versions');
    const act = (call, okKey) => async () => {
      try {
        const answer = await call();
        await loadVersions();
        say(versionsBox.querySelector('[data-test="key-versions-status"]'), t(typeof okKey === 'function' ? okKey(answer) : okKey), 'ok');
      } catch (error) {
        say(status, errorText(error), 'error');
      }
    };
    const state = (v) => {
      if (v.current) return h('span', { class: 'badge ok' }, t('keys.v.current'));
      if (v.destroyedAt) return h('span', { class: 'badge none' }, t('keys.v.destroyed', { at: when(v.destroyedAt) }));
      if (v.retiredAt) return h('span', { class: 'badge warn' }, t('keys.v.retired', { at: when(v.destroyAfter) }));
      return h('span', { class: 'badge' }, t('keys.v.kept'));
    };
    const actions = (v) => {
      const p = v.pendingRetirement;
      if (p) {
        const mine = p.requestedBy === ctx.me.username;
        return h(
          'div',
          { class: 'actions' },
          h(
            'span',
            { class: 'hint', 'data-test': `retire-pending-${v.version}` },
            p.confirmBy === 'responsible' ? t('keys.v.waitResponsible', { by: p.requestedBy }) : t('keys.v.waitAdmin', { by: p.requestedBy }),
          ),
          p.confirmBy === 'admin' && !mine
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  'data-test': `retire-confirm-${v.version}`,
                  onclick: act(() => api('POST', `/keys/retirements/${p.approvalId}/confirm`), 'keys.v.confirmed'),
                },
                t('keys.v.confirm'),
              )
            : null,
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'data-test': `retire-cancel-${v.version}`,
              onclick: act(() => api('POST', `/keys/retirements/${p.approvalId}/cancel`), 'keys.v.cancelled'),
            },
            t('keys.v.cancel'),
          ),
        );
      }
      if (v.current || v.retiredAt || !v.present) return '';
      if (v.dataKeys > 0) return h('span', { class: 'hint' }, t('keys.v.inUse'));
      return h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'data-test': `retire-${v.version}`,
          onclick: act(
            () => api('POST', `/keys/versions/${v.version}/retire`),
            (answer) =>
              answer?.status === 'pending-approval' ? (answer.confirmBy === 'responsible' ? 'keys.v.askedResponsible' : 'keys.v.asked') : 'keys.v.retiredNow',
          ),
        },
        t('keys.v.retire'),
      );
    };
    mount(
      versionsBox,
      h('h2', {}, t('keys.versionsTitle')),
      h('p', { class: 'hint' }, t('keys.versionsExplain')),
      table(
        [
          { label: t('keys.v.version'), cell: (v) => h('span', { 'data-test': `key-version-${v.version}` }, `v${v.version}`) },
          { label: t('keys.v.state'), cell: state },
          { label: t('keys.v.dataKeys'), cell: (v) => String(v.dataKeys) },
          { label: t('keys.v.retiredAt'), cell: (v) => (v.retiredAt ? `${when(v.retiredAt)} (${v.retiredBy})` : '—') },
          { label: '', cell: actions },
        ],
        versions,
        'key-versions',
      ),
      status,
    );
  }

  await load();
}
