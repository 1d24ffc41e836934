/**
 * The audit trail as an auditor meets it (ADR 0407): the address is the connection's whatever the client
 * claims, device writes leave records without secrets or message text, the filters narrow, and the CSV export
 * reads back as the same records with formula cells made harmless. On PGlite and on a PostgreSQL server.
 */
import fc from 'fast-check';
import { encodeReadout } from '@sde/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, csvLine } from '../src/audit/audit.csv.js';
import { createCase, createUser, fileApplication } from './cases.fixtures.js';
import { installSupervisions } from './supervision.fixtures.js';
import { heartbeats, startTestCenter, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

/** An RFC 4180 reader, written apart from the writer so the round trip checks one against the other. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

interface Rec {
  id: number;
  at: string;
  actorLogin: string;
  actorRole: string;
  address: string | null;
  terminal: string;
  action: string;
  entity: string;
  entityId: string;
  personId: string | null;
  changes: Record<string, unknown>;
}

/** A caller signed in at a terminal; `headers` are sent with every request (what a client may claim). */
async function terminal(tc: TestCenter, login: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${tc.center.httpUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ login, password: 'a long test password' }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${login}: ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const call = (method: string, path: string, body?: unknown, type = 'application/json') =>
    fetch(`${tc.center.httpUrl}${path}`, {
      method,
      headers: { cookie, ...headers, ...(body !== undefined ? { 'content-type': type } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  return {
    async json<T = Record<string, unknown>>(method: string, path: string, body?: unknown, type?: string) {
      const r = await call(method, path, body, type);
      return { status: r.status, body: (await r.json()) as T };
    },
    raw: call,
    /** Every record of a query, following the keyset pages. */
    async audit(query: string, limit = 500): Promise<Rec[]> {
      const out: Rec[] = [];
      let before: string | null = null;
      do {
        const r: { status: number; body: { records: Rec[]; next: string | null } } = await this.json(
          'GET',
          `/api/v1/audit?${query}&limit=${limit}${before ? `&before=${before}` : ''}`,
        );
        if (r.status !== 200) throw new Error(`audit ${query}: ${r.status} ${JSON.stringify(r.body)}`);
        out.push(...r.body.records);
        before = r.body.next;
      } while (before);
      return out;
    },
  };
}

const LOOPBACK = /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/;
const SPOOF = { 'x-sde-terminal': 'SALA-1', 'x-forwarded-for': '203.0.113.9', 'user-agent': 'vitest' };

describe.each(setups)('the audit trail on %s storage', (storage, available) => {
  let tc: TestCenter;
  let auditor: Awaited<ReturnType<typeof terminal>>;
  let operator: Awaited<ReturnType<typeof terminal>>;
  let device: { id: string; secret: string };
  const MESSAGE = 'Pani Anna Nowak prosi o kontakt pod numerem 600 100 200';

  beforeAll(async () => {
    if (!available) return;
    tc = await startTestCenter(storage, 'embedded');
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
    await tc.api('PUT', '/api/v1/courts/SR-WAW', { name: 'Sąd Rejonowy dla Warszawy', regionId: 'PL-MZ' });
    await createUser(tc, { login: 'auditor1', role: 'auditor' });
    await createUser(tc, { login: 'operator1', role: 'operator', regionId: 'PL-MZ' });
    auditor = await terminal(tc, 'auditor1');
    operator = await terminal(tc, 'operator1', SPOOF);
  });
  afterAll(async () => {
    if (available) await tc?.close();
  });

  it.runIf(available)(
    'records the connection’s address, whatever X-Forwarded-For or X-SDE-Terminal say',
    async () => {
      const p = await operator.json<{ devices: { id: string; secret: string }[] }>(
        'POST',
        '/api/v1/devices',
        {
          kind: 'home_unit',
          ids: ['AUD-HU-1'],
        },
      );
      expect(p.status).toBe(201);
      device = p.body.devices[0]!;
      const [record] = await auditor.audit('action=device.provision&user=operator1');
      expect(record!.address).toMatch(LOOPBACK);
      expect(record!.terminal.startsWith(record!.address!)).toBe(true);
      expect(record!.terminal).not.toMatch(/^203\.0\.113\.9/);
      // What the client said is kept, labelled as its claim.
      expect(record!.terminal).toMatch(/claimed: terminal "SALA-1", agent "vitest"/);
      expect(await auditor.audit('address=203.0.113.9')).toEqual([]);
    },
  );

  it.runIf(available)('audits provisioning without the secrets it hands out', async () => {
    const p = await operator.json<{ devices: { id: string; secret: string }[] }>('POST', '/api/v1/devices', {
      kind: 'transmitter',
      count: 3,
      prefix: 'AUD-TX-',
    });
    expect(p.status).toBe(201);
    const records = await auditor.audit('action=device.provision&user=operator1');
    const batch = records.find((r) => r.changes.kind === 'transmitter')!;
    expect(batch).toMatchObject({ entity: 'device', actorRole: 'operator', personId: null });
    expect(batch.changes).toMatchObject({ count: 3, ids: p.body.devices.map((d) => d.id) });
    const text = JSON.stringify(records);
    for (const d of [...p.body.devices, device]) expect(text).not.toContain(d.secret);
  });

  it.runIf(available)(
    'audits commands and messages to units: the message’s length, never its text',
    async () => {
      const m = await operator.json('POST', `/api/v1/devices/${device.id}/commands`, {
        cmd: 'message',
        text: MESSAGE,
      });
      expect(m.status).toBe(201);
      const c = await operator.json('POST', `/api/v1/devices/${device.id}/commands`, {
        cmd: 'set_interval',
        seconds: 120,
      });
      expect(c.status).toBe(201);
      const records = await auditor.audit(`entity=device&entityId=${device.id}&action=device.`);
      const message = records.find((r) => r.action === 'device.message')!;
      expect(message.changes).toMatchObject({
        command: 'message',
        length: MESSAGE.length,
        commandId: m.body.id,
      });
      expect(records.find((r) => r.action === 'device.command')!.changes).toMatchObject({
        command: 'set_interval',
        seconds: 120,
      });
      const text = JSON.stringify(records);
      expect(text).not.toContain('Nowak');
      expect(text).not.toContain('600 100 200');
    },
  );

  it.runIf(available)('audits read-out uploads, and refused ones, without secrets or events', async () => {
    const file = encodeReadout(device.id, device.secret, heartbeats(1, 5));
    const up = await operator.json<{ stored: number }>('POST', '/api/v1/readouts', file, 'text/plain');
    expect(up.status).toBe(200);
    const forged = await operator.json(
      'POST',
      '/api/v1/readouts',
      file.replace('"battery":90', '"battery":91'),
      'text/plain',
    );
    expect(forged.status).toBe(400);
    const records = await auditor.audit(`action=readout.&entityId=${device.id}`);
    expect(records.map((r) => r.action).sort()).toEqual(['readout.refused', 'readout.upload']);
    expect(records.find((r) => r.action === 'readout.upload')!.changes).toMatchObject({
      from: 1,
      to: 5,
      stored: 5,
      complete: true,
    });
    expect(records.find((r) => r.action === 'readout.refused')!.changes).toMatchObject({
      code: 'bad_signature',
    });
    expect(JSON.stringify(records)).not.toContain(device.secret);
    expect(JSON.stringify(records)).not.toContain('battery');
  });

  it.runIf(available)('filters by person, user, action and period, page by page', async () => {
    const a = await createCase(tc, { courtId: 'SR-WAW' });
    const b = await createCase(tc, { courtId: 'SR-WAW' });
    const app = await fileApplication(tc, a.caseId);

    const aboutA = await auditor.audit(`person=${a.personId}`);
    expect(aboutA.map((r) => r.action).sort()).toEqual([
      'application.create',
      'case.create',
      'person.create',
    ]);
    expect(aboutA.find((r) => r.action === 'application.create')!.entityId).toBe(app.applicationId);
    expect(aboutA.every((r) => r.personId === a.personId)).toBe(true);
    const aboutB = await auditor.audit(`person=${b.personId}`);
    expect(aboutB.map((r) => r.action).sort()).toEqual(['case.create', 'person.create']);

    const byOperator = await auditor.audit('user=operator1');
    expect(byOperator.length).toBeGreaterThanOrEqual(6);
    expect(byOperator.every((r) => r.actorLogin === 'operator1')).toBe(true);

    const exact = await auditor.audit('action=device.message');
    expect(exact.map((r) => r.action)).toEqual(['device.message']);
    const prefix = await auditor.audit('action=device.');
    expect(new Set(prefix.map((r) => r.action))).toEqual(
      new Set(['device.provision', 'device.message', 'device.command']),
    );
    // A prefix is a prefix of the action, not a pattern: '_' and '%' match only themselves.
    expect(await auditor.audit('action=device_')).toEqual([]);

    const all = await auditor.audit('');
    const middle = all[Math.floor(all.length / 2)]!;
    const before = await auditor.audit(`to=${encodeURIComponent(middle.at)}`);
    const after = await auditor.audit(`from=${encodeURIComponent(middle.at)}`);
    expect(before.every((r) => r.at < middle.at)).toBe(true);
    expect(after.every((r) => r.at >= middle.at)).toBe(true);
    expect(before.length + after.length).toBe(all.length);

    // Keyset pages of 2 give the same records in the same order as one page, none twice.
    const paged = await auditor.audit('', 2);
    expect(paged.map((r) => r.id)).toEqual(all.map((r) => r.id));
    // Newest first: by time, and by id among records of one transaction (one time).
    const newestFirst = [...all].sort((x, y) => (x.at === y.at ? y.id - x.id : x.at < y.at ? 1 : -1));
    expect(all.map((r) => r.id)).toEqual(newestFirst.map((r) => r.id));
  });

  it.runIf(available)('files a command to a fitted unit under the person who wears it', async () => {
    const [fitted] = await installSupervisions(tc.center, {
      count: 1,
      prefix: `AUDP${storage[0]}-`.toUpperCase(),
      since: Date.now() - 3_600_000,
    });
    const { person_id: personId } = await tc.center.database.db
      .selectFrom('supervisions')
      .select('person_id')
      .where('id', '=', fitted!.supervisionId)
      .executeTakeFirstOrThrow();
    const sent = await tc.api('POST', `/api/v1/devices/${fitted!.unit.id}/commands`, {
      cmd: 'message',
      text: MESSAGE,
    });
    expect(sent.status).toBe(201);
    const about = await auditor.audit(`person=${personId}`);
    // The message, and whatever the engine recorded about the new supervision's alarms: all about this person.
    expect(about.filter((r) => r.entity === 'device').map((r) => [r.action, r.entityId])).toEqual([
      ['device.message', fitted!.unit.id],
    ]);
    expect(about.every((r) => r.personId === personId && ['device', 'alarm'].includes(r.entity))).toBe(true);
  });

  it.runIf(available)(
    'refuses malformed filters with 400 and roles without audit.read with 403',
    async () => {
      for (const q of [
        'person=not-a-uuid',
        'from=yesterday',
        'before=abc',
        'before=12',
        'action=DROP%20TABLE',
        'limit=0',
      ]) {
        const r = await auditor.json<{ error: string; messagePl?: string }>('GET', `/api/v1/audit?${q}`);
        expect(r.status, q).toBe(400);
        expect(r.body.messagePl, q).toBeTruthy();
      }
      const reversed = await auditor.json(
        'GET',
        '/api/v1/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      );
      expect(reversed.status).toBe(400);
      expect((await operator.json('GET', '/api/v1/audit')).status).toBe(403);
      expect((await operator.raw('GET', '/api/v1/audit/export')).status).toBe(403);
    },
  );

  it.runIf(available)(
    'exports the same records as CSV for Excel, formula cells as text, and audits the export',
    async () => {
      // A region id may start with '-': in a spreadsheet "-1-1" would be a formula.
      expect((await tc.api('PUT', '/api/v1/regions/-1-1', { name: '=HYPERLINK("http://x")' })).status).toBe(
        200,
      );
      const list = await auditor.audit('action=region.put');
      const res = await auditor.raw('GET', '/api/v1/audit/export?action=region.put');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1);
      const [header, ...rows] = parseCsv(text);
      expect(header).toContain('at_warsaw');
      const col = (name: string) => header!.indexOf(name);
      expect(rows.map((r) => Number(r[col('id')]))).toEqual(list.map((r) => r.id));
      expect(rows.map((r) => r[col('action')])).toEqual(list.map((r) => r.action));
      expect(rows.map((r) => r[col('address')])).toEqual(list.map((r) => r.address ?? ''));
      expect(rows.map((r) => JSON.parse(r[col('changes')]!))).toEqual(list.map((r) => r.changes));
      const formula = rows.find((r) => r[col('entity_id')]!.endsWith('-1-1'))!;
      expect(formula[col('entity_id')]).toBe("'-1-1");

      const exports = await auditor.audit('action=audit.export&user=auditor1');
      expect(exports[0]).toMatchObject({
        actorRole: 'auditor',
        changes: { filter: { action: 'region.put' } },
      });

      // An export about one person is a record about that person.
      const person = (await auditor.audit('action=person.create'))[0]!.personId!;
      const about = await auditor.raw('GET', `/api/v1/audit/export?person=${person}`);
      const aboutRows = parseCsv((await about.text()).replace(/^\uFEFF/, '')).slice(1);
      expect(aboutRows.length).toBeGreaterThan(0);
      expect((await auditor.audit(`person=${person}&action=audit.export`)).length).toBe(1);
    },
  );

  it.runIf(available && storage === 'pglite')('streams an export larger than one page', async () => {
    await tc.center.database.db
      .insertInto('audit_log')
      .values(
        Array.from({ length: 2500 }, (_, i) => ({
          actor_login: 'bulk',
          actor_role: 'system',
          terminal: 'test',
          action: 'bulk.row',
          entity: 'x',
          entity_id: String(i),
          changes: '{}',
        })),
      )
      .execute();
    const res = await auditor.raw('GET', '/api/v1/audit/export?user=bulk');
    const rows = parseCsv((await res.text()).replace(/^\uFEFF/, '')).slice(1);
    expect(rows.length).toBe(2500);
    expect(new Set(rows.map((r) => r[0])).size).toBe(2500);
  });
});

describe('the address behind a trusted reverse proxy', () => {
  let tc: TestCenter;
  beforeAll(async () => {
    tc = await startTestCenter('pglite', 'embedded', { SDE_TRUST_PROXY: '127.0.0.1, ::1' });
  });
  afterAll(() => tc.close());

  it('takes the client’s address from X-Forwarded-For only when the proxy is listed', async () => {
    const res = await fetch(`${tc.center.httpUrl}/api/v1/regions/PL-MZ`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${tc.center.adminToken}`,
        'content-type': 'application/json',
        'x-forwarded-for': '203.0.113.9',
      },
      body: JSON.stringify({ name: 'mazowiecki' }),
    });
    expect(res.status).toBe(200);
    const log = await tc.api<{ records: Rec[] }>('GET', '/api/v1/audit?action=region.put');
    expect(log.body.records[0]!.address).toBe('203.0.113.9');
  });
});

describe('CSV cells', () => {
  it('read back as written, formula starts made text (property)', () => {
    const cell = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.constantFrom('=1+1', '+48 600', '-2', '@SUM(A1)', '"', '""', ',', ';', '\r\n', '\n', '\r', 'ż"ó,ł'),
    );
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 8 }), (cells) => {
        const [parsed] = parseCsv(csvLine(cells));
        expect(parsed).toEqual(cells.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c)));
      }),
    );
  });

  it('keeps numbers as numbers', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('-5')).toBe("'-5");
    expect(csvCell(null)).toBe('');
  });
});
