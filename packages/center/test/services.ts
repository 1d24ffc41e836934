/**
 * The servers this machine may run for integration suites (PostgreSQL, Mosquitto). On a machine without
 * them the suites are skipped with a message; with SDE_REQUIRE_SERVICES=1 (as .ci/run sets) a missing
 * server fails the run instead.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';

/** PostgreSQL server used by the server suites; SDE_TEST_PG_URL overrides it. */
export const PG_ADMIN_URL = process.env.SDE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** MQTT server used by the server suites; SDE_TEST_MQTT_URL overrides it. */
export const MQTT_SERVER_URL = process.env.SDE_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

const required = process.env.SDE_REQUIRE_SERVICES === '1';

function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) });
    socket.setTimeout(1500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function check(name: string, url: string): Promise<boolean> {
  const ok = await reachable(url);
  if (!ok) {
    const message = `${name} at ${url} is not reachable`;
    if (required) throw new Error(`${message}, and SDE_REQUIRE_SERVICES=1 makes that a failure`);
    console.warn(`SKIPPED: the ${name} server suites (${message})`);
  }
  return ok;
}

/** True when the PostgreSQL server answers. */
export const hasPostgres = await check('PostgreSQL', PG_ADMIN_URL);
/** True when the MQTT server answers. */
export const hasMosquitto = await check('Mosquitto', MQTT_SERVER_URL);

/** Creates an empty database on the server for one test file; drop() removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sde_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** Opens a migrated store of its own for one test file: PGlite in a temporary directory, or a new database on the server. */
export async function openTestStore(
  storage: 'pglite' | 'postgres',
  prefix: string,
): Promise<DatabaseHandle & { remove(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `sde-${prefix}-`));
  const server = storage === 'postgres' ? await createTestDatabase() : undefined;
  const handle = await openDatabase({ url: server?.url, dataDir: dir });
  return {
    ...handle,
    async remove() {
      await handle.close();
      await server?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
