// A key holder collects their unseal share (issue #18): shown once, with its QR code and a
// printable sheet (holder, date, k of n, what to do with it). The share lives only in this
// screen's DOM until the holder closes it: never stored in the browser, never sent anywhere else.
import { api } from './api.js';
import { h, mount, say, statusLine, when } from './dom.js';
import { t } from './i18n.js';
import { qrSvg } from './login.js';
import { errorText } from './errors.js';

export async function myShareScreen(main, ctx) {
  const status = statusLine('my-share-status');
  const mine = await api('GET', '/custody/my-share');
  if (!mine.waiting) {
    mount(
      main,
      h(
        'section',
        { class: 'card narrow', 'data-test': 'my-share-none' },
        h('h2', {}, t('share.title')),
        h('p', {}, mine.holder ? t('share.collectedAlready', { threshold: mine.threshold, shares: mine.shares }) : t('share.notHolder')),
      ),
    );
    return;
  }
  const collect = h('button', { type: 'button', class: 'primary', 'data-test': 'my-share-collect', onclick: () => reveal() }, t('share.collect'));
  mount(
    main,
    h(
      'section',
      { class: 'card narrow', 'data-test': 'my-share-intro' },
      h('h2', {}, t('share.title')),
      h('p', {}, t('share.intro', { threshold: mine.threshold, shares: mine.shares })),
      h('p', { class: 'warn' }, t('share.onceWarn')),
      collect,
      status,
    ),
  );

  async function reveal() {
    collect.disabled = true;
    let answer;
    try {
      answer = await api('POST', '/custody/my-share');
    } catch (error) {
      collect.disabled = false;
      say(status, errorText(error), 'error');
      return;
    }
    await ctx.refreshCustody?.();
    const qr = qrSvg(answer.share);
    qr.setAttribute('aria-label', t('share.qrAlt'));
    qr.setAttribute('data-test', 'my-share-qr');
    const unsealUrl = `${location.origin}/console/unseal.html`;
    const issued = new Date().toISOString();
    mount(
      main,
      h(
        'section',
        { class: 'card no-print', 'data-test': 'my-share-shown' },
        h('p', { class: 'warn' }, t('share.shownWarn')),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'primary', 'data-test': 'my-share-print', onclick: () => window.print() }, t('share.print')),
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'data-test': 'my-share-done',
              onclick: () => {
                if (!window.confirm(t('share.confirmClose'))) return;
                mount(main, h('section', { class: 'card narrow', 'data-test': 'my-share-closed' }, h('p', {}, t('share.closed'))));
              },
            },
            t('share.close'),
          ),
        ),
      ),
      h(
        'article',
        { class: 'card share-sheet', 'data-test': 'my-share-sheet' },
        h('h2', {}, t('share.sheetTitle')),
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, t('share.holder')),
          h('dd', { 'data-test': 'my-share-holder' }, `${ctx.me.displayName} (${ctx.me.username})`),
          h('dt', {}, t('share.issued')),
          h('dd', {}, when(issued)),
          h('dt', {}, t('share.kOfN')),
          h('dd', { 'data-test': 'my-share-k-of-n' }, t('share.kOfNValue', { threshold: answer.threshold, shares: answer.shares })),
          h('dt', {}, t('share.setId')),
          h('dd', {}, h('code', {}, answer.setId)),
        ),
        h('div', { class: 'share-qr' }, qr),
        h('p', { class: 'share-text' }, h('code', { class: 'secret', 'data-test': 'my-share-text' }, grouped(answer.share))),
        h('h3', {}, t('share.howTitle')),
        h(
          'ol',
          { class: 'share-steps' },
          h('li', {}, t('share.step.keep')),
          h('li', {}, t('share.step.noCopies')),
          h('li', {}, t('share.step.unseal', { url: unsealUrl, threshold: answer.threshold })),
          h('li', {}, t('share.step.leave')),
          h('li', {}, t('share.step.lost', { threshold: answer.threshold })),
        ),
      ),
    );
  }
}

/** MNV-<set id>-<body> with the body in groups of four for reading aloud and typing (spaces are ignored when entered). */
function grouped(share) {
  const m = /^(MNV-[0-9a-f]{8}-)(.*)$/.exec(share);
  if (!m) return share;
  return `${m[1]} ${m[2].replace(/(.{4})(?=.)/g, '$1 ')}`;
}
