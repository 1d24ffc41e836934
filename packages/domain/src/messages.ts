/** Bilingual, clerk-readable messages and the result type every domain function returns. */

/** A message meant for a clerk: a stable machine `code` plus Polish and English text. */
export interface DomainMessage {
  /** Stable identifier; UIs and tests key on it, never on the text. */
  readonly code: string;
  /** Text in Polish (the language of the court file). */
  readonly pl: string;
  /** Text in English. */
  readonly en: string;
  /** Where the problem is, e.g. `weekly.mon[1]` or `date:2025-03-30`; absent when global. */
  readonly path?: string;
}

/** The outcome of a domain operation: a value, or every problem found (never just the first). */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly DomainMessage[] };

/** Builds a {@link DomainMessage}; `path` is omitted when undefined. */
export function message(code: string, pl: string, en: string, path?: string): DomainMessage {
  return path === undefined ? { code, pl, en } : { code, pl, en, path };
}

/** A successful {@link Result}. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failed {@link Result}; callers pass at least one message. */
export function fail<T = never>(errors: readonly DomainMessage[]): Result<T> {
  return { ok: false, errors };
}

/** Ok when `errors` is empty, otherwise a failure carrying them. */
export function resultOf<T>(value: T, errors: readonly DomainMessage[]): Result<T> {
  return errors.length === 0 ? ok(value) : fail(errors);
}
