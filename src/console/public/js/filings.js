// Issue #14: a person's filings (年分, document, people on it, closed or not), their computed
// disposal due date with the rule and why; the admins' open-matter report.
import { api } from './api.js';
import { errorText } from './errors.js';
import { field, h, mount, say, statusLine, table } from './dom.js';
import { t } from './i18n.js';
import { dateHint, dateInput, day, dayWithAge, isoOf } from './dates.js';

/** The Japanese (or English) text of an error answer's code when the dictionary has one, else its message. */
function problem(error) {
  const code = error?.body?.code;
  const key = `ret.err.${code}`;
  const text = code ? t(key) : key;
  return text === key ? errorText(error) : text;
}

/** Why the due date is what it is, in the console's language (the server's `why` is English). */
export function explainDue(r) {
  if (r.reason === 'not-left') return t('ret.why.notLeft');
  if (r.reason === 'matter-open') return t('ret.why.matterOpen', { rule: r.ruleLabel ?? r.rule ?? '' });
  if (r.reason === 'unknown-rule') return t('ret.why.unknownRule', { rule: r.rule ?? '' });
  if (r.rule === 'left') return t('ret.why.left', { left: r.leftOn ?? '', due: r.dueOn ?? '' });
  if (String(r.rule).startsWith('floor-')) return t('ret.why.floor', { left: r.leftOn ?? '', due: r.dueOn ?? '', rule: r.ruleLabel ?? '' });
  return t('ret.why.filing', { rule: r.ruleLabel ?? r.rule ?? '', due: r.dueOn ?? '' });
}

/** The computed due date card and the filings card for one person (clerk; admins may read). */
export async function retentionCards(ctx, person, reload) {
  const [due, filings] = await Promise.all([api('GET', `/subjects/${person.id}/retention`), api('GET', `/subjects/${person.id}/filings`)]);
  const rules = ctx.reference.retentionRules ?? [];
  const ruleOf = (type) => rules.find((r) => r.documentType === type);
  const dueCard = h(
    'section',
    { class: 'card', 'data-test': 'retention-due' },
    h('h3', {}, t('ret.dueTitle')),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('ret.dueOn')),
      h('dd', { 'data-test': 'retention-due-on', 'data-iso': due.dueOn ?? '' }, due.dueOn ? dayWithAge(due.dueOn) : t('ret.noDue')),
      h('dt', {}, t('ret.rule')),
      h('dd', { 'data-test': 'retention-rule' }, due.rule === 'left' ? t('ret.ruleLeft') : (due.ruleLabel ?? '—')),
      h('dt', {}, t('ret.basis')),
      h('dd', {}, due.basis ? `${due.basis}（${due.period === 'company-choice' ? t('ret.companyChoice') : t('ret.law')}）` : '—'),
      h('dt', {}, t('ret.why')),
      h('dd', { 'data-test': 'retention-why' }, explainDue(due)),
      h('dt', {}, t('ret.relationships')),
      h(
        'dd',
        {},
        due.relationships
          .map(
            (r) =>
              `${t(`kind.${r.kind}`)}: ${r.leftOn ? t('ret.endedOn', { on: r.leftOn }) : t('ret.continues')}${r.floorDueOn ? ` · ${t('ret.floorOn', { on: r.floorDueOn })}${r.floorReleased ? ` ${t('ret.floorReleased')}` : ''}` : ''}`,
          )
          .join(' / '),
      ),
      ...(due.notProvided ? [h('dt', {}, t('ret.notProvided')), h('dd', { 'data-test': 'retention-not-provided' }, t('ret.notProvidedYes'))] : []),
    ),
  );

  const status = statusLine('filing-status');
  const type = h(
    'select',
    { 'data-test': 'filing-type' },
    rules.map((r) => h('option', { value: r.documentType }, r.label)),
  );
  const taxYear = h('input', { type: 'number', min: 1990, max: 2200, 'data-test': 'filing-tax-year' });
  const submitted = dateInput({ 'data-test': 'filing-submitted' });
  const closed = dateInput({ 'data-test': 'filing-closed' });
  const peopleBox = h('div', { class: 'row', 'data-test': 'filing-people' });
  const dependents =
    person.kind === 'employee' ? (await api('GET', '/subjects', undefined, { query: { employeeId: person.id } }).catch(() => ({ items: [] }))).items : [];
  const checks = dependents.map((d) => ({ d, box: h('input', { type: 'checkbox', value: d.id, 'data-test': `filing-person-${d.code}` }) }));
  mount(
    peopleBox,
    ...(checks.length
      ? checks.map(({ d, box }) => h('label', { class: 'check' }, box, ` ${d.name} (${d.code})`))
      : [h('span', { class: 'hint' }, t('ret.noDependents'))]),
  );
  const yearField = field(t('ret.taxYear'), taxYear, t('ret.taxYearHint'));
  const closedField = field(t('ret.closedAt'), closed, t('ret.closedHint'));
  const syncFields = () => {
    const byYear = ruleOf(type.value)?.start !== 'matter-closed';
    yearField.hidden = !byYear;
    closedField.hidden = byYear;
  };
  type.addEventListener('change', syncFields);
  syncFields();

  const closeInputs = new Map();
  const filingsCard = h(
    'section',
    { class: 'card', 'data-test': 'filings' },
    h('h3', {}, t('ret.filingsTitle')),
    filings.items.length
      ? table(
          [
            { label: t('ret.taxYear'), cell: (f) => (f.taxYear ? String(f.taxYear) : '—') },
            { label: t('ret.document'), cell: (f) => `${f.label ?? f.documentType}${f.period === 'company-choice' ? `（${t('ret.companyChoice')}）` : ''}` },
            { label: t('ret.filer'), cell: (f) => (f.subjectId === person.id ? t('ret.filerSelf') : t('ret.filerOther')) },
            { label: t('ret.people'), cell: (f) => (f.people.length ? t('ret.peopleCount', { n: f.people.length }) : '—') },
            {
              label: t('ret.matter'),
              cell: (f) => {
                if (ruleOf(f.documentType)?.start !== 'matter-closed') return t('ret.byYear');
                if (f.closedAt) return t('ret.closedOn', { on: day(f.closedAt) });
                if (f.subjectId !== person.id) return t('ret.open');
                const input = dateInput({ 'data-test': `close-date-${f.documentType}` });
                closeInputs.set(f.id, input);
                return h(
                  'span',
                  {},
                  t('ret.open'),
                  ' ',
                  input,
                  h('button', { type: 'button', class: 'secondary', 'data-test': `close-${f.documentType}`, onclick: () => closeMatter(f) }, t('ret.close')),
                );
              },
            },
            { label: t('ret.filingDue'), cell: (f) => day(f.dueOn) },
          ],
          filings.items,
          'filings-table',
        )
      : h('p', {}, t('common.empty')),
    h(
      'form',
      {
        'data-test': 'filing-form',
        onsubmit: async (e) => {
          e.preventDefault();
          const byYear = ruleOf(type.value)?.start !== 'matter-closed';
          const body = { documentType: type.value };
          if (byYear && taxYear.value) body.taxYear = Number(taxYear.value);
          const [submittedOn, closedOn] = [isoOf(submitted), isoOf(closed)];
          if (submittedOn === undefined || closedOn === undefined) return say(status, t('date.invalid'), 'error');
          if (submittedOn) body.submittedAt = submittedOn;
          if (!byYear && closedOn) body.closedAt = closedOn;
          const people = checks.filter(({ box }) => box.checked).map(({ d }) => d.id);
          if (people.length) body.people = people;
          try {
            await api('POST', `/subjects/${person.id}/filings`, body);
            await reload();
          } catch (error) {
            say(status, problem(error), 'error');
          }
        },
      },
      h('h4', {}, t('ret.record')),
      h('div', { class: 'row' }, field(t('ret.document'), type), yearField, field(t('ret.submittedAt'), submitted), closedField),
      field(t('ret.people'), peopleBox, t('ret.peopleHint')),
      h('button', { type: 'submit', 'data-test': 'filing-submit' }, t('ret.recordSubmit')),
    ),
    status,
  );

  async function closeMatter(f) {
    const input = closeInputs.get(f.id);
    const on = input ? isoOf(input) : null;
    if (on === undefined) return say(status, t('date.invalid'), 'error');
    if (!on) return say(status, t('ret.closeNeedsDate'), 'error');
    try {
      await api('PATCH', `/subjects/${person.id}/filings/${f.id}`, { closedAt: on });
      await reload();
    } catch (error) {
      say(status, problem(error), 'error');
    }
  }
  return [dueCard, filingsCard];
}

/** Admins: leavers kept only because a matter is still open, and their "still needed?" reviews. */
export async function openMattersCard() {
  const card = h('section', { class: 'card', 'data-test': 'open-matters' });
  const status = statusLine('open-matters-status');
  const load = async () => {
    try {
      const [report, reviews] = await Promise.all([api('GET', '/retention/open-matters'), api('GET', '/retention/reviews')]);
      const openReview = new Map(reviews.items.map((r) => [r.subjectId, r]));
      mount(
        card,
        h('h2', {}, t('ret.openTitle')),
        h('p', { class: 'hint' }, t('ret.openExplain')),
        report.items.length
          ? table(
              [
                { label: t('people.code'), cell: (i) => i.subject.code },
                { label: t('people.name'), cell: (i) => i.subject.name },
                { label: t('people.leftAt'), cell: (i) => i.leftOn ?? '—' },
                { label: t('ret.matters'), cell: (i) => i.matters.map((m) => m.label ?? m.documentType).join('、') },
                { label: t('ret.since'), cell: (i) => i.since },
                {
                  label: t('ret.review'),
                  cell: (i) => {
                    const r = openReview.get(i.subject.id);
                    if (!r) return i.reviewOn ? t('ret.reviewOn', { on: i.reviewOn }) : '—';
                    const reason = h('input', { maxlength: 500, 'data-test': `review-reason-${i.subject.code}` });
                    return h(
                      'span',
                      {},
                      t('ret.reviewOpen'),
                      ' ',
                      reason,
                      h(
                        'button',
                        {
                          type: 'button',
                          class: 'secondary',
                          'data-test': `review-confirm-${i.subject.code}`,
                          onclick: async () => {
                            try {
                              await api('POST', `/retention/reviews/${r.id}/confirm`, { reason: reason.value.trim() });
                              await load();
                              say(status, t('ret.confirmed'), 'ok');
                            } catch (error) {
                              say(status, problem(error), 'error');
                            }
                          },
                        },
                        t('ret.confirm'),
                      ),
                    );
                  },
                },
              ],
              report.items,
              'open-matters-table',
            )
          : h('p', { 'data-test': 'no-open-matters' }, t('common.empty')),
        status,
      );
    } catch (error) {
      mount(card, h('p', { class: 'status', 'data-kind': 'error' }, errorText(error)));
    }
  };
  await load();
  return card;
}
