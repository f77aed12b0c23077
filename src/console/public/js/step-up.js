// The step-up prompt: a fresh TOTP code before a reveal when the server asks for one.
import { api, ApiError } from './api.js';
import { field, h, mount, say, statusLine } from './dom.js';
import { t } from './i18n.js';
import { errorText } from './errors.js';

/** Answers that mean "enter a fresh TOTP code, then try again". */
const STEP_UP_CODES = ['reveal.step-up-required', 'custody.step-up-required'];

export function createStepUp() {
  let dialog = null;
  return {
    /** Shows the prompt; resolves true once the server accepted a code, false if cancelled. */
    ask() {
      return new Promise((resolve) => {
        dialog?.remove();
        const status = statusLine('step-up-status');
        const code = h('input', {
          inputmode: 'numeric',
          autocomplete: 'one-time-code',
          pattern: '[0-9]{6}',
          maxlength: 6,
          required: true,
          'data-test': 'step-up-code',
        });
        const finish = (ok) => {
          dialog?.close();
          dialog?.remove();
          dialog = null;
          resolve(ok);
        };
        dialog = h('dialog', { class: 'card', 'data-test': 'step-up-dialog' });
        mount(
          dialog,
          h(
            'form',
            {
              onsubmit: async (e) => {
                e.preventDefault();
                try {
                  await api('POST', '/auth/step-up', { code: code.value.trim() });
                  finish(true);
                } catch (error) {
                  say(status, errorText(error), 'error');
                }
              },
            },
            h('h2', {}, t('stepup.title')),
            h('p', {}, t('stepup.explain')),
            field(t('totp.code'), code),
            h(
              'div',
              { class: 'actions' },
              h('button', { type: 'submit', class: 'primary', 'data-test': 'step-up-submit' }, t('stepup.confirm')),
              h('button', { type: 'button', class: 'secondary', onclick: () => finish(false) }, t('common.cancel')),
            ),
            status,
          ),
        );
        dialog.addEventListener('cancel', () => finish(false));
        document.body.append(dialog);
        dialog.showModal();
        code.focus();
      });
    },
    /**
     * Runs `call`; when the server answers that a fresh second factor is needed, asks for one
     * and runs it once more. Resolves to its answer, or to null if the person cancelled.
     */
    async withStepUp(call) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 403 && STEP_UP_CODES.includes(error.code))) throw error;
        if (!(await this.ask())) return null;
        return call();
      }
    },
    close() {
      dialog?.close();
      dialog?.remove();
      dialog = null;
    },
  };
}
