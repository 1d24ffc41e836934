/**
 * Errors with a stable code, turned into `{ error, message, messagePl?, requestId }` by the one HTTP error
 * handler.
 */

/**
 * Base class: `code` is stable for clients, `message` (English) is meant for the person using the API,
 * and `messagePl`, when given, says the same in Polish for clerks at court terminals.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: unknown,
    readonly messagePl?: string,
  ) {
    super(message);
  }
}

/** The request is malformed or breaks a rule. */
export class ValidationError extends AppError {
  constructor(message: string, details?: unknown, code = 'invalid_request', messagePl?: string) {
    super(code, message, 400, details, messagePl);
  }
}

/** Missing or wrong credentials. */
export class UnauthorizedError extends AppError {
  constructor(message = 'sign in or give a valid API token') {
    super('unauthorized', message, 401);
  }
}

/** The thing does not exist, or is outside the caller's scope (both answer the same, so scope does not leak). */
export class NotFoundError extends AppError {
  constructor(what: string, whatPl?: string) {
    super('not_found', `${what} not found`, 404, undefined, `Nie znaleziono: ${whatPl ?? what}.`);
  }
}

/** The request conflicts with the current state. */
export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict', messagePl?: string, details?: unknown) {
    super(code, message, 409, details, messagePl);
  }
}
