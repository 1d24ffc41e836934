/** Structured JSON logs. Log ids, never personal data. */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the process logger writing JSON lines to stdout. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { svc: 'sde-center' }, timestamp: pino.stdTimeFunctions.isoTime });
}
