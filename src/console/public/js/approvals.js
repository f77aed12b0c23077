// 承認 (issue #19): the responsible person's (事務取扱責任者) inbox. Pending requests (disposals,
// batch disposals, key retirements), accounts waiting for their roles (new clerks, outside-firm
// accounts) and early disposals; approve, or refuse with a reason. Admins see the same lists
// read-only (the server decides who may act: the requester never approves their own request while
// four eyes are required, 403 approval.same-person). The four-eyes policy is shown, and a waiver
// (with its recorded reason) is flagged, as it is to auditors.
import { api } from './api.js';
import { field, h, mount, say, statusLine, table, when } from './dom.js';
import { has, t } from './i18n.js';
import { day } from './dates.js';
import { errorText } from './errors.js';

/** A request's kind in words (an unknown kind: 'other request', never the code). */
const kindText = (kind) => (has(`approvals.kind.${kind}`) ? t(`approvals.kind.${kind}`) : t('approvals.kind.other'));

export async function approvalsScreen(main, ctx) {
  const isResponsible = ctx.me.roles.includes('responsible');
  // auditors read the policy, the waiting and the decided requests (a waiver is flagged to them); early disposals are not theirs
  const mayDecide = ctx.me.roles.some((r) => r === 'responsible' || r === 'admin');
  const status = statusLine('approvals-status');
  const policyBox = h('div', { 'data-test': 'approvals-policy' });
  const requests = h('div', { class: 'list' });
  const accounts = h('div', { class: 'list' });
  const early = h('div', { class: 'list' });
  const history = h('div', { class: 'list' });
  const which = h(
    'select',
    { 'data-test': 'approvals-history-status' },
    ['approved', 'declined'].map((s) => h('option', { value: s }, t(`approvals.status.${s}`))),
  );
  which.addEventListener('change', () => loadHistory());
  mount(
    main,
    h(
      'section',
      { class: 'card', 'data-test': 'approvals-screen' },
      h('h2', {}, t('approvals.title')),
      h('p', { class: 'hint' }, t(isResponsible ? 'approvals.intro' : mayDecide ? 'approvals.introAdmin' : 'approvals.introAuditor')),
      policyBox,
      status,
    ),
    h('section', { class: 'card', 'data-test': 'approvals-requests' }, h('h3', {}, t('approvals.requests')), requests),
    h('section', { class: 'card', 'data-test': 'approvals-accounts' }, h('h3', {}, t('approvals.accounts')), accounts),
    mayDecide ? h('section', { class: 'card', 'data-test': 'approvals-early' }, h('h3', {}, t('approvals.early')), early) : null,
    h(
      'section',
      { class: 'card', 'data-test': 'approvals-history' },
      h('h3', {}, t('approvals.history')),
      h('div', { class: 'actions' }, field(t('alarm.show'), which)),
      history,
    ),
  );
  await Promise.all([loadPolicy(), loadPending(), loadEarly(), loadHistory()]);

  /** A reason field and the two buttons; `decide(kind, reason)` calls the server and reloads. */
  function decisionCell(testId, decide, { reasonRequiredToApprove = false } = {}) {
    if (!isResponsible && !(decide.adminMay && mayDecide)) return h('span', { class: 'hint' }, t('approvals.byResponsible'));
    const reason = h('input', { maxlength: 500, placeholder: t('approvals.reason'), 'data-test': `reason-${testId}` });
    const s = statusLine(`decision-status-${testId}`);
    const go = async (kind) => {
      const text = reason.value.trim();
      if (kind === 'decline' && !text) return say(s, t('approvals.reasonRequired'), 'error');
      if (reasonRequiredToApprove && !text) return say(s, t('approvals.reasonRequired'), 'error');
      try {
        await decide(kind, text || undefined);
        await Promise.all([loadPending(), loadEarly(), loadHistory()]);
        say(status, t(kind === 'approve' ? 'approvals.approved' : 'approvals.declined'), 'ok');
      } catch (error) {
        say(s, errorText(error), 'error');
      }
    };
    return h(
      'div',
      { class: 'decision' },
      reason,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'data-test': `approve-${testId}`, onclick: () => go('approve') }, t('approvals.approve')),
        h('button', { type: 'button', class: 'secondary', 'data-test': `decline-${testId}`, onclick: () => go('decline') }, t('approvals.decline')),
      ),
      s,
    );
  }

  async function loadPolicy() {
    try {
      const p = await api('GET', '/approvals/policy');
      const facts = [
        h('dt', {}, t('approvals.policy')),
        h(
          'dd',
          { 'data-test': 'policy-mode' },
          p.fourEyes === 'waived'
            ? h('span', { class: 'badge warn', 'data-test': 'policy-waived' }, `⚠ ${t('approvals.policy.waived')}`)
            : t(`approvals.policy.${p.fourEyes}`),
        ),
      ];
      if (p.fourEyes === 'waived') facts.push(h('dt', {}, t('approvals.waiverReason')), h('dd', { 'data-test': 'policy-reason' }, p.reason ?? '—'));
      if (p.setBy) facts.push(h('dt', {}, t('approvals.setBy')), h('dd', {}, h('span', { translate: 'no' }, p.setBy), ` ${when(p.setAt)}`));
      mount(
        policyBox,
        h('dl', { class: 'facts' }, facts),
        p.fourEyes === 'waived' ? h('p', { class: 'warn' }, t('approvals.waivedFlag')) : null,
        isResponsible ? policyForm(p) : null,
      );
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  function policyForm(p) {
    const s = statusLine('policy-status');
    const mode = h(
      'select',
      { 'data-test': 'policy-select' },
      ['required', 'waived'].map((m) => h('option', { value: m, selected: p.fourEyes === m }, t(`approvals.policy.${m}`))),
    );
    const reason = h('input', { maxlength: 500, value: p.reason ?? '', 'data-test': 'policy-reason-input' });
    return h(
      'details',
      { class: 'policy-form' },
      h('summary', {}, t('approvals.changePolicy')),
      h(
        'form',
        {
          onsubmit: async (e) => {
            e.preventDefault();
            const body = { fourEyes: mode.value };
            if (mode.value === 'waived') {
              if (!reason.value.trim()) return say(s, t('approvals.waiverReasonRequired'), 'error');
              body.reason = reason.value.trim();
            }
            try {
              await api('PUT', '/approvals/policy', body);
              await loadPolicy();
              say(status, t('common.saved'), 'ok');
            } catch (error) {
              say(s, errorText(error), 'error');
            }
          },
        },
        h('div', { class: 'row' }, field(t('approvals.policy'), mode), field(t('approvals.waiverReason'), reason, t('approvals.waiverHint'))),
        h('button', { type: 'submit', class: 'secondary', 'data-test': 'policy-save' }, t('approvals.savePolicy')),
        s,
      ),
    );
  }

  /** What a request is about, in words (the person and the due day for a disposal; the version for a key). */
  function aboutText(r) {
    const a = r.about ?? {};
    if (r.kind === 'disposal')
      return a.subjectCode
        ? h(
            'span',
            {},
            h('span', { translate: 'no' }, `${a.subjectCode} ${a.subjectName ?? ''}`),
            ` · ${t('alarm.due')} ${day(a.dueOn)}`,
            a.alarmStatus && a.alarmStatus !== 'open' ? ` · ${t(`alarm.${a.alarmStatus}`)}` : '',
          )
        : '—';
    if (r.kind === 'disposal-batch')
      return Array.isArray(r.payload?.alarmIds) ? t('approvals.batchCount', { n: r.payload.alarmIds.length }) : t('approvals.batchAll');
    if (r.kind === 'key-retirement') return t('approvals.keyVersion', { version: r.payload?.version ?? '—' });
    return '—';
  }

  async function loadPending() {
    try {
      const [list, firms] = await Promise.all([
        api('GET', '/approvals', undefined, { query: { status: 'pending' } }),
        api('GET', '/firms').catch(() => ({ items: [] })),
      ]);
      const firmName = new Map(firms.items.map((f) => [f.id, f.name]));
      mount(
        requests,
        list.requests.length
          ? table(
              [
                { label: t('approvals.kind'), cell: (r) => kindText(r.kind) },
                { label: t('approvals.about'), cell: (r) => aboutText(r) },
                {
                  label: t('approvals.requestedBy'),
                  cell: (r) => [
                    h('span', { translate: 'no' }, r.requestedByUsername),
                    // one's own request: under four eyes another person approves it (the server refuses otherwise)
                    r.requestedBy === ctx.me.id ? [' ', h('span', { class: 'badge none', 'data-test': `own-${r.id}` }, t('approvals.own'))] : null,
                  ],
                },
                { label: t('approvals.requestedAt'), cell: (r) => when(r.requestedAt) },
                { label: t('disposal.note'), cell: (r) => h('span', { translate: 'no' }, r.payload?.note ?? '') },
                {
                  label: '',
                  cell: (r) =>
                    decisionCell(r.id, (kind, note) => api('POST', `/approvals/${r.id}/${kind === 'approve' ? 'approve' : 'decline'}`, note ? { note } : {})),
                },
              ],
              list.requests,
              'approvals-table',
            )
          : h('p', { 'data-test': 'no-requests' }, t('approvals.none')),
      );
      mount(
        accounts,
        list.accounts.length
          ? table(
              [
                { label: t('staff.username'), cell: (u) => h('span', { translate: 'no' }, u.username) },
                { label: t('staff.displayName'), cell: (u) => h('span', { translate: 'no' }, u.displayName) },
                { label: t('approvals.pendingRoles'), cell: (u) => u.pendingRoles.map((r) => t(`role.${r}`)).join('、') },
                {
                  label: t('approvals.firm'),
                  cell: (u) =>
                    u.firmId
                      ? h('span', { 'data-test': `account-firm-${u.username}` }, firmName.get(u.firmId) ?? t('approvals.firmUnknown'))
                      : t('approvals.inHouse'),
                },
                { label: t('approvals.createdAt'), cell: (u) => when(u.createdAt) },
                {
                  label: '',
                  cell: (u) =>
                    decisionCell(u.username, (kind, note) =>
                      api('POST', `/approvals/accounts/${u.id}/${kind === 'approve' ? 'approve' : 'decline'}`, note ? { note } : {}),
                    ),
                },
              ],
              list.accounts,
              'approvals-accounts-table',
            )
          : h('p', {}, t('approvals.noAccounts')),
      );
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  async function loadEarly() {
    if (!mayDecide) return;
    try {
      const list = await api('GET', '/retention/early-disposals');
      const decide = (e) => {
        const fn = (kind, reason) => api('POST', `/retention/early-disposals/${e.id}/${kind === 'approve' ? 'approve' : 'reject'}`, reason ? { reason } : {});
        fn.adminMay = true; // without four eyes required an admin decides (the server says so otherwise)
        return fn;
      };
      mount(
        early,
        list.items.length
          ? table(
              [
                { label: t('people.code'), cell: (e) => h('span', { translate: 'no' }, e.subject?.code ?? '—') },
                { label: t('people.name'), cell: (e) => h('span', { translate: 'no' }, e.subject?.name ?? '—') },
                { label: t('approvals.relationship'), cell: (e) => t(`kind.${e.relationshipKind}`) },
                { label: t('people.leftAt'), cell: (e) => day(e.leftOn) },
                { label: t('approvals.filingsDone'), cell: (e) => day(e.filingsDoneOn) },
                { label: t('disposal.note'), cell: (e) => h('span', { translate: 'no' }, e.note ?? '') },
                { label: '', cell: (e) => decisionCell(`early-${e.subject?.code ?? e.id}`, decide(e)) },
              ],
              list.items,
              'approvals-early-table',
            )
          : h('p', {}, t('approvals.noEarly')),
      );
    } catch (error) {
      mount(early, h('p', { class: 'status', 'data-kind': 'error' }, errorText(error)));
    }
  }

  async function loadHistory() {
    try {
      const list = await api('GET', '/approvals', undefined, { query: { status: which.value } });
      mount(
        history,
        list.requests.length
          ? table(
              [
                { label: t('approvals.kind'), cell: (r) => kindText(r.kind) },
                { label: t('approvals.about'), cell: (r) => aboutText(r) },
                { label: t('approvals.requestedBy'), cell: (r) => h('span', { translate: 'no' }, r.requestedByUsername) },
                { label: t('approvals.decidedBy'), cell: (r) => h('span', { translate: 'no' }, r.decidedByUsername ?? '—') },
                { label: t('approvals.decidedAt'), cell: (r) => when(r.decidedAt) },
                { label: t('approvals.decisionNote'), cell: (r) => h('span', { translate: 'no' }, r.decisionNote ?? '') },
                {
                  label: t('approvals.fourEyes'),
                  cell: (r) =>
                    r.selfApproved
                      ? h(
                          'span',
                          { class: 'badge warn', 'data-test': `waived-${r.id}`, title: t('approvals.selfApprovedHint') },
                          `⚠ ${t('approvals.selfApproved')}`,
                        )
                      : r.status === 'approved'
                        ? t('approvals.secondPerson')
                        : '—',
                },
              ],
              list.requests,
              'approvals-history-table',
            )
          : h('p', {}, t('common.empty')),
      );
    } catch (error) {
      mount(history, h('p', { class: 'status', 'data-kind': 'error' }, errorText(error)));
    }
  }
}
