// Tiny DOM helpers: elements are built with createElement and textContent only (never innerHTML),
// so nothing from the API can become markup, and the strict CSP needs no exceptions.

/** h('button', { class: 'primary', onclick: fn, 'data-test': 'x' }, 'text', child, ...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'value') el.value = value;
    else if (key === 'checked') el.checked = Boolean(value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the content of an element. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled form field: label text, then the control. */
export function field(label, control, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control, hint ? h('small', { class: 'hint' }, hint) : null);
}

/** A status line that screens write messages into (role=status so screen readers announce it). */
export function statusLine(testId) {
  return h('p', { class: 'status', role: 'status', 'aria-live': 'polite', 'data-test': testId });
}

export function say(el, text, kind = 'info') {
  el.textContent = text ?? '';
  el.dataset.kind = kind;
}

/** Formats an ISO time for display in Japan time. */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/** Offers a Blob as a download (an object URL in memory, revoked right after: nothing is stored). */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A table from rows: columns = [{ label, cell: (row) => node|string }]. */
export function table(columns, rows, testId) {
  return h(
    'table',
    { class: 'grid', 'data-test': testId },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { scope: 'col' }, c.label)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          {},
          columns.map((c) => h('td', {}, c.cell(row))),
        ),
      ),
    ),
  );
}
