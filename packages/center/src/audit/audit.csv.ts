/**
 * The audit log as CSV (RFC 4180) for a spreadsheet: a BOM so Excel reads Polish letters as UTF-8, CRLF line
 * ends, quoting where a cell needs it, and a guard against formula injection (a cell that a spreadsheet would
 * run as a formula is written as text).
 */
import type { AuditRecord } from './audit.repository.js';

/** Byte order mark: without it Excel opens UTF-8 as the system's code page. */
export const BOM = '\uFEFF';

/** Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"), tab and CR included. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell: a value a spreadsheet would evaluate gets a leading apostrophe (shown as text, not run); a cell
 * holding a quote, comma, semicolon or line break is quoted with its quotes doubled.
 */
export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (with its CRLF). */
export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

/** The export's columns, in order. */
export const AUDIT_CSV_HEADER = [
  'id',
  'at_utc',
  'at_warsaw',
  'actor_login',
  'actor_role',
  'action',
  'entity',
  'entity_id',
  'person_id',
  'address',
  'terminal_claimed',
  'request_id',
  'changes',
] as const;

const warsaw = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Warsaw',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** A record as the cells of its CSV line; the time also in Warsaw wall time, which spreadsheets read as a date. */
export function auditCsvCells(r: AuditRecord): (string | number | null)[] {
  return [
    r.id,
    r.at.toISOString(),
    warsaw.format(r.at),
    r.actorLogin,
    r.actorRole,
    r.action,
    r.entity,
    r.entityId,
    r.personId,
    r.address,
    r.terminal,
    r.requestId,
    JSON.stringify(r.changes),
  ];
}

/** The CSV text of records read one at a time: BOM and header first, then a line per record. */
export async function* auditCsv(records: AsyncIterable<AuditRecord>): AsyncGenerator<string> {
  let chunk = BOM + csvLine(AUDIT_CSV_HEADER);
  for await (const r of records) {
    chunk += csvLine(auditCsvCells(r));
    // Lines are sent in chunks of about 64 KiB: one write per line would dominate a large export.
    if (chunk.length >= 65_536) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
