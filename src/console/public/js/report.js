// 取扱状況の確認 (issue #19): the monthly handling report for the responsible person, auditors and
// admins, with charts (Chart.js, served locally from /console/vendor/chart.umd.js) and a layout that
// prints on A4 (the browser's print / "Save as PDF"). The responsible person signs a month off.
// Only counts and staff names: the report never holds a number.
import { api } from './api.js';
import { download, field, h, mount, say, statusLine, table, when } from './dom.js';
import { getLang, t } from './i18n.js';
import { purposeLabel } from './people.js';
import { errorText } from './errors.js';

let chartLibrary = null;

/** Loads Chart.js once (a same-origin script: the CSP stays strict). */
function loadCharts() {
  if (globalThis.Chart) return Promise.resolve(globalThis.Chart);
  chartLibrary ??= new Promise((resolve, reject) => {
    const script = h('script', { src: '/console/vendor/chart.umd.js' });
    script.addEventListener('load', () => resolve(globalThis.Chart));
    script.addEventListener('error', () => reject(new Error('chart library not loaded')));
    document.head.append(script);
  });
  return chartLibrary;
}

/** The month before the current one in Japan time (the one to check), as YYYY-MM. */
export function previousMonth(now = new Date()) {
  const jst = new Date(now.getTime() + 9 * 3600_000);
  const d = new Date(Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

const COLORS = ['#2f5d8a', '#c8702a', '#3c8d5a', '#a33b3b', '#7a5ea8', '#8a7a2f'];

export async function reportScreen(main, ctx) {
  const status = statusLine('report-status');
  // ctx.month: the server's PDF (report-print.js) names the month; the console starts at last month
  const month = h('input', { type: 'month', required: true, value: ctx.month ?? previousMonth(), 'data-test': 'report-month' });
  const sheet = h('div', { class: 'report-sheet', 'data-test': 'report-sheet' });
  const charts = [];
  const isResponsible = ctx.me.roles.includes('responsible');

  mount(
    main,
    h(
      'section',
      { class: 'card', 'data-test': 'report-screen' },
      h('h2', {}, t('report.title')),
      h('p', { class: 'hint' }, t('report.intro')),
      h(
        'form',
        {
          class: 'filters',
          onsubmit: (e) => {
            e.preventDefault();
            load();
          },
        },
        field(t('report.month'), month),
        h('button', { type: 'submit', 'data-test': 'report-load' }, t('report.show')),
        h('button', { type: 'button', class: 'secondary', 'data-test': 'report-print', onclick: () => window.print() }, t('report.print')),
        h('button', { type: 'button', class: 'secondary', 'data-test': 'report-pdf', onclick: () => pdf() }, t('report.pdf')),
      ),
      status,
    ),
    sheet,
  );

  /** The PDF made on the server (Chromium; GET /reports/monthly/:month.pdf): the same page, printed there. */
  async function pdf() {
    say(status, t('report.pdfMaking'));
    try {
      const res = await api('GET', `/reports/monthly/${encodeURIComponent(month.value)}.pdf`, undefined, { raw: true, accept: 'application/pdf' });
      download(await res.blob(), `monthly-report-${month.value}.pdf`);
      say(status, t('report.pdfDone'), 'ok');
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }

  let loads = 0;
  async function load() {
    const mine = ++loads; // an answer to an earlier request that arrives late is dropped
    say(status, t('report.loading'));
    delete sheet.dataset.charts;
    let report;
    try {
      report = await api('GET', `/reports/monthly/${encodeURIComponent(month.value)}`);
    } catch (error) {
      if (mine !== loads) return;
      for (const c of charts.splice(0)) c.destroy();
      mount(sheet);
      say(status, errorText(error), 'error');
      return;
    }
    if (mine !== loads) return;
    for (const c of charts.splice(0)) c.destroy();
    say(status, '');
    renderReport(report);
    try {
      const Chart = await loadCharts();
      if (mine === loads) drawCharts(Chart, report);
    } catch {
      say(status, t('report.chartsFailed'), 'error');
    }
  }

  function kv(rows, testId) {
    return h(
      'dl',
      { class: 'report-kv', 'data-test': testId },
      rows.map(([label, value, id]) => [h('dt', {}, label), h('dd', { 'data-test': id }, String(value))]),
    );
  }

  function canvas(id) {
    return h('div', { class: 'report-chart' }, h('canvas', { 'data-test': id, role: 'img', 'aria-label': t(`report.chart.${id}`) }));
  }

  function renderReport(r) {
    const tot = r.totals;
    const signoffBox = h('div', { class: 'report-signoff', 'data-test': 'report-signoff' });
    if (r.signoff) {
      signoffBox.append(
        h('h3', {}, t('report.signoff')),
        kv(
          [
            [t('report.signedBy'), r.signoff.signedByUsername, 'signed-by'],
            [t('report.signedAt'), when(r.signoff.signedAt), 'signed-at'],
            [t('report.comment'), r.signoff.comment, 'signed-comment'],
          ],
          'signoff-details',
        ),
      );
    } else {
      signoffBox.append(h('h3', {}, t('report.signoff')), h('p', { 'data-test': 'not-signed' }, r.partial ? t('report.notEnded') : t('report.notSigned')));
      if (isResponsible && !r.partial) signoffBox.append(signOffForm(r.month));
    }
    mount(
      sheet,
      h('h2', { class: 'report-heading' }, t('report.heading', { month: r.month })),
      h(
        'p',
        { class: 'hint' },
        t('report.period', { from: when(r.from), to: when(r.to), at: when(r.generatedAt) }),
        r.partial ? ` ${t('report.partial')}` : '',
      ),
      h('h3', {}, t('report.summary')),
      kv(
        [
          [t('report.reveals'), tot.reveals, 'total-reveals'],
          [t('report.bulk'), tot.bulkRetrieved, 'total-bulk'],
          [t('report.provision'), tot.exports.provision, 'total-provision'],
          [t('report.takeOut'), tot.exports.takeOut, 'total-take-out'],
          [t('report.stores'), tot.stores, 'total-stores'],
          [t('report.disposals'), tot.disposals, 'total-disposals'],
          [t('report.overdue'), r.openMatters.disposalsOverdue, 'total-overdue'],
          [t('report.refused'), tot.refused, 'total-refused'],
        ],
        'report-totals',
      ),
      h('div', { class: 'report-charts' }, canvas('daily'), canvas('purpose'), canvas('staff')),
      h('h3', {}, t('report.byPurpose')),
      table(
        [
          { label: t('report.purpose'), cell: (p) => (p.purpose ? purposeLabel(ctx.reference, p.purpose) : '—') },
          { label: t('report.reveals'), cell: (p) => p.reveals },
          { label: t('report.bulk'), cell: (p) => p.bulk },
          { label: t('report.refused'), cell: (p) => p.refused },
        ],
        r.byPurpose,
        'report-by-purpose',
      ),
      h('h3', {}, t('report.byStaff')),
      table(
        [
          { label: t('report.staff'), cell: (s) => h('span', { 'data-test': `staff-${s.username}` }, s.username ?? '—', s.firm ? ` (${s.firm})` : '') },
          { label: t('report.reveals'), cell: (s) => h('span', { 'data-test': `staff-reveals-${s.username}` }, s.reveals) },
          { label: t('report.bulk'), cell: (s) => h('span', { 'data-test': `staff-bulk-${s.username}` }, s.bulk) },
          { label: t('report.exports'), cell: (s) => s.exports },
          { label: t('report.stores'), cell: (s) => h('span', { 'data-test': `staff-stores-${s.username}` }, s.stores) },
          { label: t('report.disposals'), cell: (s) => s.disposals },
          { label: t('report.refused'), cell: (s) => h('span', { 'data-test': `staff-refused-${s.username}` }, s.refused) },
        ],
        r.byStaff,
        'report-by-staff',
      ),
      h('h3', {}, t('report.exportsTitle')),
      r.exports.length
        ? table(
            [
              { label: t('report.when'), cell: (e) => when(e.at) },
              { label: t('report.staff'), cell: (e) => e.username ?? '—' },
              { label: t('report.purpose'), cell: (e) => (e.purpose ? purposeLabel(ctx.reference, e.purpose) : '—') },
              { label: t('report.kind'), cell: (e) => (e.kind === 'provision' ? `${t('report.provision')} ${e.firmName ?? ''}` : t('report.takeOut')) },
              { label: t('report.rows'), cell: (e) => e.rows },
            ],
            r.exports,
            'report-exports',
          )
        : h('p', {}, t('report.none')),
      h('h3', {}, t('report.loginsTitle')),
      kv(
        [
          [t('report.logins'), r.logins.success, 'logins'],
          [t('report.loginsFailed'), r.logins.failed, 'logins-failed'],
          [t('report.lockouts'), r.logins.lockouts, 'lockouts'],
          [t('report.outsideHours'), r.logins.outsideHours, 'logins-outside-hours'],
          [t('report.recoveryUsed'), r.logins.recoveryCodesUsed, 'recovery-used'],
        ],
        'report-logins',
      ),
      h('h3', {}, t('report.changesTitle')),
      kv(
        [
          [t('report.usersCreated'), r.changes.usersCreated, 'users-created'],
          [t('report.rolesChanged'), r.changes.rolesChanged + r.changes.rolesApproved, 'roles-changed'],
          [t('report.deactivated'), r.changes.deactivated, 'deactivated'],
          [t('report.shareHolders'), r.changes.shareHoldersRekeyed, 'share-holders'],
          [t('report.sodExceptions'), r.changes.sodExceptions, 'sod-exceptions'],
          [t('report.fourEyesWaived'), r.fourEyes.waivedActions, 'four-eyes-waived'],
          [t('report.approvals'), r.fourEyes.approvalsGranted, 'approvals'],
        ],
        'report-changes',
      ),
      h('h3', {}, t('report.alertsTitle')),
      r.alerts.length
        ? h(
            'ul',
            { 'data-test': 'report-alerts' },
            r.alerts.map((a) => h('li', {}, `${t(`report.alert.${a.type}`)}: ${a.actorUsername ?? '—'} · ${a.count} · ${when(a.from)}`)),
          )
        : h('p', { 'data-test': 'report-alerts' }, t('report.none')),
      h('h3', {}, t('report.openTitle')),
      kv(
        [
          [t('report.disposalAlarms'), r.openMatters.disposalAlarmsOpen, 'open-disposal-alarms'],
          [t('report.mattersReview'), r.openMatters.mattersUnderReview, 'open-matters'],
          [t('report.approvalsPending'), r.openMatters.approvalsPending, 'open-approvals'],
          [t('report.breachesOpen'), r.openMatters.breachesOpen, 'open-breaches'],
        ],
        'report-open',
      ),
      signoffBox,
    );
  }

  function signOffForm(m) {
    const comment = h('textarea', { required: true, maxlength: 2000, rows: 3, 'data-test': 'signoff-comment' });
    const result = statusLine('signoff-status');
    return h(
      'form',
      {
        class: 'no-print',
        'data-test': 'signoff-form',
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            await api('POST', `/reports/monthly/${encodeURIComponent(m)}/sign-off`, { comment: comment.value });
            await load();
            say(status, t('report.signed'), 'ok');
          } catch (error) {
            say(result, errorText(error), 'error');
          }
        },
      },
      field(t('report.comment'), comment, t('report.commentHint')),
      h('button', { type: 'submit', class: 'primary', 'data-test': 'signoff-submit' }, t('report.signOff')),
      result,
    );
  }

  function drawCharts(Chart, r) {
    const base = { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { position: 'bottom' } } };
    const byTest = (id) => sheet.querySelector(`canvas[data-test="${id}"]`);
    const days = r.daily.map((d) => d.day.slice(8));
    charts.push(
      new Chart(byTest('daily'), {
        type: 'bar',
        data: {
          labels: days,
          datasets: [
            { label: t('report.reveals'), data: r.daily.map((d) => d.reveals), backgroundColor: COLORS[0] },
            { label: t('report.bulk'), data: r.daily.map((d) => d.bulk), backgroundColor: COLORS[1] },
            { label: t('report.refused'), data: r.daily.map((d) => d.refused), backgroundColor: COLORS[3] },
          ],
        },
        options: {
          ...base,
          plugins: { ...base.plugins, title: { display: true, text: t('report.chart.daily') } },
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        },
      }),
      new Chart(byTest('purpose'), {
        type: 'doughnut',
        data: {
          labels: r.byPurpose.map((p) => (p.purpose ? purposeLabel(ctx.reference, p.purpose) : '—')),
          datasets: [{ data: r.byPurpose.map((p) => p.reveals + p.bulk), backgroundColor: COLORS }],
        },
        options: { ...base, plugins: { ...base.plugins, title: { display: true, text: t('report.chart.purpose') } } },
      }),
      new Chart(byTest('staff'), {
        type: 'bar',
        data: {
          labels: r.byStaff.map((s) => s.username ?? '—'),
          datasets: [
            { label: t('report.reveals'), data: r.byStaff.map((s) => s.reveals), backgroundColor: COLORS[0] },
            { label: t('report.bulk'), data: r.byStaff.map((s) => s.bulk), backgroundColor: COLORS[1] },
            { label: t('report.refused'), data: r.byStaff.map((s) => s.refused), backgroundColor: COLORS[3] },
          ],
        },
        options: {
          ...base,
          indexAxis: 'y',
          plugins: { ...base.plugins, title: { display: true, text: t('report.chart.staff') } },
          scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } },
        },
      }),
    );
    sheet.dataset.charts = 'drawn';
    sheet.dataset.lang = getLang();
  }

  await load();
}
