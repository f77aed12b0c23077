// Clerks: collection links (issue #15). Create links (for people found by search, or every employee
// without a number), show each new link once with its QR code and a printable sheet, reissue or
// cancel; review submissions: see the numbers and photos (audited, purpose identity-check), then
// approve or send back with a reason.
import { api, ApiError } from './api.js';
import { field, h, mount, say, statusLine, table, when } from './dom.js';
import { t } from './i18n.js';
import { qrSvg } from './login.js';
import { errorText as codedErrorText } from './errors.js';

const RETURN_REASONS = ['image-unreadable', 'number-mismatch', 'documents-insufficient', 'other'];

/** This screen's own wording of a code when it has one, else the console's (errors.js), never the server's English. */
function errorText(error) {
  const key = `collection.err.${error?.body?.code}`;
  const text = t(key);
  return text === key ? codedErrorText(error) : text;
}

export async function collectionScreen(main, ctx) {
  const newLinks = h('div', { class: 'collection-links', 'data-test': 'collection-new-links' });
  const requestsBox = h('div', { 'data-test': 'collection-requests' });
  const reviewBox = h('div', { 'data-test': 'collection-review' });
  mount(
    main,
    createPanel(ctx, newLinks, () => loadRequests(requestsBox, newLinks)),
    newLinks,
    h('section', { class: 'card' }, h('h2', {}, t('collection.reviewTitle')), reviewBox),
    h('section', { class: 'card' }, h('h2', {}, t('collection.requestsTitle')), requestsBox),
  );
  await Promise.all([loadRequests(requestsBox, newLinks), loadReview(reviewBox, ctx)]);
}

function createPanel(ctx, newLinks, reload) {
  const status = statusLine('collection-create-status');
  const q = h('input', { type: 'search', placeholder: t('people.searchHint'), 'data-test': 'collection-search' });
  const results = h('div', { class: 'list' });
  const selected = new Set();
  async function search() {
    const page = await api('GET', '/subjects', undefined, { query: { q: q.value.trim(), kind: 'employee', status: 'active' } });
    mount(
      results,
      table(
        [
          {
            label: '',
            cell: (p) =>
              h('input', {
                type: 'checkbox',
                'data-test': `collection-pick-${p.code}`,
                checked: selected.has(p.id),
                onchange: (e) => (e.target.checked ? selected.add(p.id) : selected.delete(p.id)),
              }),
          },
          { label: t('people.code'), cell: (p) => p.code },
          { label: t('people.name'), cell: (p) => p.name },
          { label: t('number.title'), cell: (p) => (p.number?.onFile ? t('number.onFile') : t('number.none')) },
        ],
        page.items,
        'collection-search-results',
      ),
    );
  }
  async function create(body) {
    try {
      const answer = await api('POST', '/collection/requests', body);
      showLinks(newLinks, answer.items);
      say(status, t('collection.created', { n: answer.items.length, skipped: answer.skipped.length }), 'ok');
      selected.clear();
      await reload();
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }
  return h(
    'section',
    { class: 'card', 'data-test': 'collection-screen' },
    h('h2', {}, t('collection.title')),
    h('p', { class: 'hint' }, t('collection.explain')),
    h(
      'form',
      {
        class: 'filters',
        onsubmit: (e) => {
          e.preventDefault();
          search().catch((error) => say(status, errorText(error), 'error'));
        },
      },
      field(t('people.search'), q),
      h('button', { type: 'submit', class: 'secondary', 'data-test': 'collection-search-submit' }, t('common.search')),
    ),
    results,
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          'data-test': 'collection-create-selected',
          onclick: () => (selected.size ? create({ subjectIds: [...selected] }) : say(status, t('collection.pickSomeone'), 'error')),
        },
        t('collection.createSelected'),
      ),
      h(
        'button',
        { type: 'button', class: 'secondary', 'data-test': 'collection-create-all', onclick: () => create({ allWithoutNumber: true }) },
        t('collection.createAll'),
      ),
    ),
    status,
  );
}

/** New links: shown once, each with its QR code; printable as one sheet per person. */
function showLinks(box, items) {
  if (!items.length) {
    mount(box);
    return;
  }
  const sheets = items.map((item) => {
    const qr = qrSvg(item.link);
    qr.setAttribute('aria-label', t('collection.qrAlt'));
    const mailStatus = statusLine(`collection-mail-status-${item.subjectId}`);
    const email = h('input', { type: 'email', autocomplete: 'off', placeholder: 'name@example.com', 'data-test': `collection-email-${item.subjectId}` });
    return h(
      'article',
      { class: 'card collection-sheet', 'data-test': 'collection-sheet', 'data-subject': item.subjectId },
      h('h3', {}, `${item.name} 様`),
      h('p', {}, t('collection.sheetText')),
      qr,
      h('p', { class: 'link-text' }, h('a', { href: item.link, 'data-test': 'collection-link', rel: 'noreferrer', target: '_blank' }, item.link)),
      h('p', { class: 'hint' }, t('collection.expires', { at: when(item.expiresAt) })),
      h(
        'form',
        {
          class: 'row no-print',
          onsubmit: async (e) => {
            e.preventDefault();
            try {
              const answer = await api('POST', `/collection/requests/${item.id}/reissue`, { email: email.value.trim() });
              say(mailStatus, answer.mailed ? t('collection.mailed') : t('collection.mailFailed'), answer.mailed ? 'ok' : 'error');
            } catch (error) {
              say(mailStatus, errorText(error), 'error');
            }
          },
        },
        field(t('collection.email'), email),
        h('button', { type: 'submit', class: 'secondary' }, t('collection.sendMail')),
      ),
      h('p', { class: 'hint no-print' }, t('collection.mailReissues')),
      mailStatus,
    );
  });
  mount(
    box,
    h(
      'div',
      { class: 'actions no-print' },
      h('button', { type: 'button', class: 'secondary', 'data-test': 'collection-print', onclick: () => window.print() }, t('collection.print')),
    ),
    sheets,
  );
}

async function loadRequests(box, newLinks) {
  const { items } = await api('GET', '/collection/requests');
  mount(
    box,
    table(
      [
        { label: t('people.code'), cell: (r) => r.code },
        { label: t('people.name'), cell: (r) => r.name },
        {
          label: t('collection.status'),
          cell: (r) =>
            h('span', { 'data-test': `collection-request-status-${r.code}` }, r.expired ? t('collection.st.expired') : t(`collection.st.${r.status}`)),
        },
        { label: t('collection.expiresAt'), cell: (r) => when(r.expiresAt) },
        { label: t('collection.startedAt'), cell: (r) => when(r.startedAt) },
        {
          label: '',
          cell: (r) =>
            r.status === 'open'
              ? h(
                  'div',
                  { class: 'actions' },
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'secondary',
                      onclick: async () => {
                        const answer = await api('POST', `/collection/requests/${r.id}/reissue`, {});
                        showLinks(newLinks, [answer]);
                        await loadRequests(box, newLinks);
                      },
                    },
                    t('collection.reissue'),
                  ),
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'secondary',
                      onclick: async () => {
                        await api('POST', `/collection/requests/${r.id}/cancel`);
                        await loadRequests(box, newLinks);
                      },
                    },
                    t('collection.cancel'),
                  ),
                )
              : '',
        },
      ],
      items,
      'collection-requests-table',
    ),
  );
}

async function loadReview(box, ctx) {
  const { items } = await api('GET', '/collection/submissions', undefined, { query: { status: 'waiting' } });
  if (!items.length) {
    mount(box, h('p', { class: 'hint', 'data-test': 'collection-review-empty' }, t('common.empty')));
    return;
  }
  mount(
    box,
    items.map((s) => submissionCard(s, ctx, () => loadReview(box, ctx))),
  );
}

function submissionCard(s, ctx, reload) {
  const status = statusLine(`collection-review-status-${s.subject.code}`);
  const numbers = new Map();
  const numberCells = new Map();
  const imageBox = h('div', { class: 'collection-images' });
  const reason = h(
    'select',
    { 'data-test': 'collection-return-reason' },
    RETURN_REASONS.map((r) => h('option', { value: r }, t(`collection.ret.${r}`))),
  );
  const entryRow = (e) => {
    const cell = h(
      'span',
      { class: 'revealed', 'data-test': `collection-entry-number-${e.relation}` },
      e.provided ? '●●●● ●●●● ●●●●' : t(`collection.np.${e.notProvidedReason}`),
    );
    numberCells.set(e.id, cell);
    return h(
      'li',
      { 'data-test': 'collection-entry' },
      `${e.relation === 'self' ? t('collection.self') : `${e.name}（${t(`collection.rel.${e.relationship}`)}）`}: `,
      cell,
      e.duplicate ? h('strong', { class: 'badge warn', 'data-test': 'collection-duplicate' }, ` ${t('collection.duplicate')}`) : null,
    );
  };
  async function reveal() {
    try {
      const answer = await ctx.stepUp.withStepUp(() => api('POST', `/collection/submissions/${s.id}/reveal`));
      if (!answer) return;
      for (const e of answer.entries) if (e.number) numbers.set(e.id, e.number);
      for (const [id, cell] of numberCells) if (numbers.has(id)) cell.textContent = numbers.get(id);
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }
  async function openImage(img) {
    try {
      const res = await ctx.stepUp.withStepUp(() =>
        api('GET', `/collection/submissions/${s.id}/images/${img.id}`, undefined, { raw: true, accept: 'image/jpeg' }),
      );
      if (!res) return;
      const url = URL.createObjectURL(await res.blob());
      const el = h('img', { src: url, alt: `${img.document} ${img.side}`, 'data-test': 'collection-image', class: 'collection-image' });
      el.addEventListener('load', () => URL.revokeObjectURL(url));
      imageBox.append(el);
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }
  async function act(path, body, doneKey) {
    try {
      await api('POST', `/collection/submissions/${s.id}/${path}`, body);
      say(status, t(doneKey), 'ok');
      await reload();
    } catch (error) {
      say(status, errorText(error), 'error');
    }
  }
  return h(
    'article',
    { class: 'card', 'data-test': 'collection-submission', 'data-subject': s.subject.code },
    h('h3', {}, `${s.subject.name} (${s.subject.code})`, s.flagged ? h('span', { class: 'badge warn' }, ` ${t('collection.flagged')}`) : null),
    h('p', { class: 'hint' }, t('collection.submittedAt', { at: when(s.submittedAt), ack: when(s.acknowledgedAt) })),
    h(
      'p',
      {},
      t('collection.documents', {
        docs:
          [s.numberDocument, ...s.identityDocuments]
            .filter(Boolean)
            .map((c) => ctx.reference.identityDocuments.find((d) => d.code === c)?.label ?? c)
            .filter((v, i, a) => a.indexOf(v) === i)
            .join('、') || '—',
      }),
    ),
    h('ul', {}, s.entries.map(entryRow)),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'danger', 'data-test': 'collection-reveal', onclick: reveal }, t('collection.revealNumbers')),
      s.images.map((img) => {
        // A dependent's document (dependentPhotos in config/collection-notice.json) says whose it is.
        const owner = img.entry > 0 ? s.entries.find((e) => e.position === img.entry) : null;
        const label = t('collection.openImage', {
          doc: ctx.reference.identityDocuments.find((d) => d.code === img.document)?.label ?? img.document,
          side: t(`collection.side.${img.side}`),
        });
        return h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'data-test':
              img.entry > 0 ? `collection-open-image-d${img.entry}-${img.document}-${img.side}` : `collection-open-image-${img.document}-${img.side}`,
            onclick: () => openImage(img),
          },
          owner ? `${owner.name}: ${label}` : label,
        );
      }),
    ),
    imageBox,
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', class: 'primary', 'data-test': 'collection-approve', onclick: () => act('approve', undefined, 'collection.approved') },
        t('collection.approve'),
      ),
      field(t('collection.returnReason'), reason),
      h(
        'button',
        { type: 'button', class: 'secondary', 'data-test': 'collection-return', onclick: () => act('return', { reason: reason.value }, 'collection.returned') },
        t('collection.return'),
      ),
    ),
    status,
  );
}

export { ApiError };
