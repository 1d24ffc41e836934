/** Turns the domain's bilingual refusals into API errors a clerk can read in Polish and English. */
import type { DomainMessage } from '@sde/domain';
import { AppError } from '../errors.js';

/**
 * A rule of the domain refused the request. `code` is the first refusal's stable code; `details` lists
 * every refusal with its code, Polish and English text and the path of the offending field.
 */
export class DomainRuleError extends AppError {
  constructor(errors: readonly DomainMessage[], status: 400 | 409 = 400) {
    const first = errors[0];
    super(
      first?.code ?? 'invalid_request',
      errors.map((e) => withPath(e.en, e.path)).join(' '),
      status,
      errors.map((e) => ({ code: e.code, path: e.path ?? '', message: e.en, messagePl: e.pl })),
      errors.map((e) => withPath(e.pl, e.path)).join(' '),
    );
  }
}

function withPath(text: string, path: string | undefined): string {
  return path ? `${text} [${path}]` : text;
}

/** Refuses with one bilingual message. */
export function refuse(code: string, pl: string, en: string, status: 400 | 409 = 409): DomainRuleError {
  return new DomainRuleError([{ code, pl, en }], status);
}
