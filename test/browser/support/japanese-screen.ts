import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { Page } from 'playwright-core';
import { AUDIT_ACTIONS } from '../../../src/audit/audit-action';
import { ERROR_CODES } from '../../../src/common/http/error-codes';

/**
 * Issue #22: in the ja-JP console no visible text is an English sentence (a server `message`
 * that slipped through) or a raw code (`number.revealed`, `withholding-slip`, `success`).
 * `japaneseScreenProblems(page)` reads every visible text node of the page (and the options of
 * visible selects) and returns what it finds; the browser specs assert it is empty after each
 * screen. Text inside `translate="no"` (usernames, codes of people, request ids, hashes: names
 * and identifiers shown on purpose) is not read.
 */

const ROOT = join(__dirname, '..', '..', '..');

function dictionaryKeys(): string[] {
  const source = readFileSync(join(ROOT, 'src/console/public/js/i18n.js'), 'utf8').replace(/^export /gm, '');
  const box: { DICTIONARIES?: Record<'ja' | 'en', Record<string, string>> } = {};
  runInNewContext(`${source}\nexports.DICTIONARIES = DICTIONARIES;`, { exports: box });
  return Object.keys(box.DICTIONARIES!.ja);
}

/** Every `code` in config/*.json (purposes, documents, retention rules, alert kinds …). */
function configCodes(): string[] {
  const out = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'code' && typeof inner === 'string') out.add(inner);
        else walk(inner);
      }
    }
  };
  for (const file of readdirSync(join(ROOT, 'config')).filter((f) => f.endsWith('.json'))) walk(JSON.parse(readFileSync(join(ROOT, 'config', file), 'utf8')));
  return [...out];
}

/**
 * The codes that must never show: every error code, audit action and outcome, the dictionary's
 * coded keys (`action.x.y` → `x.y`), and config/'s codes. Only codes with a dot or a hyphen: a
 * one-word code (`internal`) is an English word, which the word check covers.
 */
export const DICTIONARY_CODES: string[] = [
  ...new Set([
    ...Object.keys(ERROR_CODES),
    ...AUDIT_ACTIONS,
    ...dictionaryKeys()
      .filter((k) => /^(error|action|outcome|alert|alarm|collection\.(st|np|rel|ret|side))\./.test(k))
      .map((k) => k.replace(/^(error|action|outcome|alert|alarm|collection\.(st|np|rel|ret|side))\./, '')),
    ...configCodes(),
  ]),
]
  .filter((c) => /[.-]/.test(c) && c.length >= 5)
  .sort((a, b) => b.length - a.length);

/** A dotted code shape (`auth.login`, `subject.left-before-hired`), whatever the dictionary knows. */
const CODE_SHAPE = /(?<![\w.@/-])[a-z][a-z0-9]*(?:\.[a-z][a-z0-9]*(?:-[a-z0-9]+)*)+(?![\w@/-])/;
/** Three or more English words in a row: a sentence, e.g. a server message. */
const ENGLISH_RUN = /(?<![\w-])[A-Za-z][a-z']+(?:[ ,:;]+[A-Za-z][a-z']*){2,}/;
/** English words a Japanese screen never needs on their own (a raw outcome, a status, a server message's words). */
const ENGLISH_WORDS =
  /(?<![\w-])(the|must|should|not|is|are|was|be|invalid|error|failed|failure|success|refused|expired|unknown|undefined|null|NaN|true|false|forbidden|unauthorized|required|session|please|cannot|object|pending|open|postponed|disposed|withdrawn|active|deactivated)(?![\w-])/i;
/** English that belongs on a Japanese screen: product and format names, and the language switch. */
const ALLOWED = /\b(English|QR|TOTP|CSV|PDF|ID|IDs|URL|UUID|Webhook|Google Authenticator|Microsoft Authenticator|Excel|MNV)\b/g;

export interface ScreenTextProblem {
  text: string;
  why: string;
  where: string;
}

/** Visible text nodes of the page (outside translate="no"), with a short path to each. */
async function visibleTexts(page: Page): Promise<{ text: string; where: string }[]> {
  // runs in the page (this file is compiled without DOM types, hence the loose typing)
  return page.evaluate(() => {
    const d = (globalThis as any).document;
    const out: { text: string; where: string }[] = [];
    const path = (el: any): string => {
      const parts: string[] = [];
      for (let e = el; e && e !== d.body && parts.length < 4; e = e.parentElement) {
        const test = e.getAttribute('data-test');
        parts.unshift(test ? `${e.tagName.toLowerCase()}[data-test=${test}]` : e.tagName.toLowerCase());
      }
      return parts.join(' > ');
    };
    const shown = (el: any): boolean => {
      const box = el.closest('select') ?? el; // a select's options count when the select shows
      if (!box.checkVisibility({ visibilityProperty: true, opacityProperty: true })) return false;
      return box.getClientRects().length > 0;
    };
    const walker = d.createTreeWalker(d.body, 4 /* NodeFilter.SHOW_TEXT */);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = String(n.textContent ?? '')
        .replace(/\s+/g, ' ')
        .trim();
      const el = n.parentElement;
      if (!text || !el || el.closest('script, style, noscript, [translate="no"]')) continue;
      if (!shown(el)) continue;
      out.push({ text, where: path(el) });
    }
    // placeholders and button values are read too
    for (const el of d.querySelectorAll('input[placeholder], textarea[placeholder]')) {
      if (el.closest('[translate="no"]') || !shown(el)) continue;
      out.push({ text: el.getAttribute('placeholder'), where: `${path(el)} (placeholder)` });
    }
    return out;
  });
}

/** What is wrong with one visible text, or null. */
export function textProblem(text: string): string | null {
  for (const code of DICTIONARY_CODES) {
    const at = text.indexOf(code);
    if (at >= 0 && !/[\w.-]/.test(text[at - 1] ?? ' ') && !/[\w-]/.test(text[at + code.length] ?? ' ')) return `raw code ${code}`;
  }
  const shape = CODE_SHAPE.exec(text);
  if (shape) return `code-like ${shape[0]}`;
  const plain = text.replace(ALLOWED, ' ');
  const run = ENGLISH_RUN.exec(plain);
  if (run) return `English: ${run[0]}`;
  const word = ENGLISH_WORDS.exec(plain);
  if (word) return `English word: ${word[0]}`;
  return null;
}

/** Everything on the page that is not for a Japanese reader (empty when the screen is clean). */
export async function japaneseScreenProblems(page: Page): Promise<ScreenTextProblem[]> {
  const problems: ScreenTextProblem[] = [];
  for (const { text, where } of await visibleTexts(page)) {
    const why = textProblem(text);
    if (why) problems.push({ text: text.slice(0, 160), why, where });
  }
  return problems;
}
