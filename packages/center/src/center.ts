/**
 * The monitoring center process: storage, device transport, gateway, ledger and HTTP, wired together,
 * started in order and stopped gracefully (in-flight batches are finished before storage closes).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { sql } from 'kysely';
import { systemClock, type Clock } from './clock.js';
import { createCommandRepository } from './commands/command.repository.js';
import type { Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/database.js';
import { createDeviceRepository } from './devices/device.repository.js';
import { createDeviceService } from './devices/device.service.js';
import { createAuditRepository } from './audit/audit.repository.js';
import { createAlarmRepository } from './alarms/alarm.repository.js';
import { registerAlarmRoutes } from './alarms/alarm.routes.js';
import { createAlarmService, type AlarmService } from './alarms/alarm.service.js';
import { createInProcessLiveBus, type LiveBus } from './alarms/live-bus.js';
import { createEngineRepository } from './engine/engine.repository.js';
import { createEngineRunner, type EngineRunner } from './engine/engine.runner.js';
import { createEmailChannel, createHttpSmsChannel, type NotificationChannel } from './notify/channels.js';
import { createDispatcher, type Dispatcher } from './notify/dispatcher.js';
import { createOutboxRepository } from './notify/outbox.repository.js';
import { registerAuthRoutes } from './auth/auth.routes.js';
import { createAuthService, type AuthService } from './auth/auth.service.js';
import { installAuthentication } from './auth/authenticate.js';
import { createOidcSignIn } from './auth/oidc.js';
import { createIdentityRepository } from './auth/user.repository.js';
import { createCaseRepository } from './cases/case.repository.js';
import { registerCaseRoutes } from './cases/case.routes.js';
import { createCaseService } from './cases/case.service.js';
import { createSupervisionService } from './cases/supervision.service.js';
import { createDeadlineJob } from './cases/deadline.job.js';
import { registerConsole } from './http/console.js';
import { createMonitoringRepository } from './monitoring/monitoring.repository.js';
import { registerMonitoringRoutes } from './monitoring/monitoring.routes.js';
import { createMonitoringService } from './monitoring/monitoring.service.js';
import { registerRoutes } from './http/routes.js';
import type { RouteInventoryEntry } from './http/server.js';
import { createHttpServer } from './http/server.js';
import { createGateway, type Gateway } from './ingest/gateway.js';
import { createLedgerRepository } from './ledger/ledger.repository.js';
import { createLedger, type Ledger } from './ledger/ledger.service.js';
import type { Logger } from './logger.js';
import { createMetrics, registerAlarmPipelineMetrics, type Metrics } from './metrics.js';
import { listenWithFallback } from './net.js';
import { startEmbeddedBroker } from './transport/embedded-broker.js';
import { connectExternalBroker } from './transport/mqtt-client.js';
import type { DeviceTransport } from './transport/transport.js';
import type { DeviceService } from './devices/device.service.js';
import { checkSecretsKey, sealPlaintextSecrets } from './secrets/device-secrets.js';
import { createLocalKeyProvider, readKeySource, type KeyProvider } from './secrets/key-provider.js';

/** A running center. */
export interface Center {
  httpUrl: string;
  mqttUrl: string;
  adminToken: string;
  storage: DatabaseHandle['kind'];
  /** Notes for the person starting it, e.g. a default port that was taken. */
  notices: string[];
  /** Every HTTP route and the route-table entry declaring it (ADR 0402). */
  routes: readonly RouteInventoryEntry[];
  database: DatabaseHandle;
  devices: DeviceService;
  ledger: Ledger;
  gateway: Gateway;
  metrics: Metrics;
  auth: AuthService;
  /** The compliance engine runner (issue 4). */
  engine: EngineRunner;
  /** Alarms and their workflow. */
  alarms: AlarmService;
  /** Notification delivery. */
  notify: Dispatcher;
  /** The live-push bus. */
  live: LiveBus;
  stop(): Promise<void>;
}

/** Reads the admin token from the environment or the data directory, creating it on first start. */
export function adminTokenFor(config: Pick<Config, 'SDE_ADMIN_TOKEN' | 'SDE_DATA_DIR'>): string {
  if (config.SDE_ADMIN_TOKEN) return config.SDE_ADMIN_TOKEN;
  const file = join(config.SDE_DATA_DIR, 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.SDE_DATA_DIR, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/**
 * Reads the HTTP server's certificate and key (SDE_HTTP_TLS_CERT / SDE_HTTP_TLS_KEY), checking that they are PEM
 * and belong together before anything is started, so a mistake stops the start with a message naming the setting.
 */
export function httpTlsFor(
  config: Pick<Config, 'SDE_HTTP_TLS_CERT' | 'SDE_HTTP_TLS_KEY'>,
): { cert: Buffer; key: Buffer } | undefined {
  if (!config.SDE_HTTP_TLS_CERT || !config.SDE_HTTP_TLS_KEY) return undefined;
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`${name}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  };
  const cert = read('SDE_HTTP_TLS_CERT', config.SDE_HTTP_TLS_CERT);
  const key = read('SDE_HTTP_TLS_KEY', config.SDE_HTTP_TLS_KEY);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new Error(
      `SDE_HTTP_TLS_CERT / SDE_HTTP_TLS_KEY: not a PEM certificate and its private key (${(err as Error).message})`,
    );
  }
  return { cert, key };
}

/** What a center can be started with besides its configuration. */
export interface CenterOptions {
  /** The clock of arrival times and of the compliance engine (default: the system clock; ADR 0202). */
  clock?: Clock;
  /**
   * Where the key of the device secrets comes from, for a key-management service (ADR 0409); default: the
   * key of SDE_SECRETS_KEY, SDE_SECRETS_KEY_FILE or SDE_DATA_DIR/secrets.key.
   */
  keyProvider?: KeyProvider;
}

/** Starts a center with `config`. */
export async function startCenter(
  config: Config,
  logger: Logger,
  options: CenterOptions = {},
): Promise<Center> {
  const clock = options.clock ?? systemClock;
  const notices: string[] = [];
  const adminToken = adminTokenFor(config);
  let keys = options.keyProvider;
  if (!keys) {
    const source = readKeySource(config);
    if (source.warning) notices.push(source.warning);
    keys = createLocalKeyProvider([source.key], source.source);
  }
  const httpTls = httpTlsFor(config);
  const metrics = createMetrics();
  const database = await openDatabase({
    url: config.SDE_DATABASE_URL,
    dataDir: config.SDE_DATA_DIR,
    onConnectionError: (err) =>
      logger.warn({ err: err.message }, 'a database connection failed; it is replaced'),
    pglite: {
      onCheckpoint: ({ ms, walBytes }) => {
        metrics.storeCheckpoint.observe(ms / 1000);
        logger.debug({ ms: Math.round(ms), walMiB: Math.round(walBytes / 2 ** 20) }, 'store checkpoint');
      },
      onCheckpointFailed: (err) => logger.error({ err: err.message }, 'a store checkpoint failed'),
      onMaintenance: ({ table, op, ms }) => {
        metrics.storeMaintenance.observe({ op }, ms / 1000);
        logger.debug({ table, op, ms: Math.round(ms) }, 'store maintenance');
      },
      onMaintenanceFailed: (err) =>
        logger.error(
          { err: err.message, table: (err as { table?: string }).table },
          'a store vacuum or analyze failed',
        ),
    },
  });
  try {
    // Before any device is loaded: a wrong key stops the start here, with one message (ADR 0409).
    await checkSecretsKey(database.db, keys);
    const sealed = await sealPlaintextSecrets(database.db, keys);
    if (sealed > 0) logger.info({ devices: sealed }, 'device secrets stored in plaintext are now encrypted');
  } catch (err) {
    await database.close();
    throw err;
  }
  const devices = createDeviceService(
    createDeviceRepository(database.db, keys, (id) =>
      logger.error(
        { device: id },
        'the stored secret of this device does not decrypt (altered, or copied from another device): it is refused',
      ),
    ),
  );
  await devices.preload();
  const ledger = createLedger({
    repo: createLedgerRepository(database.db),
    metrics,
    maxQueuedEvents: config.SDE_INGEST_MAX_QUEUED_EVENTS,
    maxSeqAhead: config.SDE_INGEST_MAX_SEQ_AHEAD,
    lanes: config.SDE_INGEST_LANES ?? (database.kind === 'postgres' ? 2 : 1),
  });
  const commands = createCommandRepository(database.db);

  let transport: DeviceTransport;
  try {
    if (config.SDE_MQTT_URL) {
      transport = await connectExternalBroker({ url: config.SDE_MQTT_URL, logger });
    } else {
      const broker = await startEmbeddedBroker({
        host: config.SDE_HOST,
        port: config.mqttPort,
        explicitPort: config.mqttPortExplicit,
        logger,
        onAuthFailure: () => metrics.connectionsRefused.inc(),
        ...(config.SDE_MQTT_TLS_CERT && config.SDE_MQTT_TLS_KEY
          ? { tls: { certFile: config.SDE_MQTT_TLS_CERT, keyFile: config.SDE_MQTT_TLS_KEY } }
          : {}),
        checkCredentials: async (id, secret) => {
          const d = await devices.lookup(id);
          return d !== undefined && d.status === 'active' && d.secret === secret;
        },
      });
      if (broker.fellBack) {
        notices.push(
          `MQTT port ${config.mqttPort} is taken by another program; the embedded broker listens on ${broker.port} instead ` +
            `(set SDE_MQTT_PORT to choose, or SDE_MQTT_URL to use the other broker).`,
        );
      }
      transport = broker;
    }
  } catch (err) {
    await database.close();
    throw err;
  }

  await ledger.preload(devices.all().map((d) => d.no));
  let engineRef: EngineRunner | undefined;
  const gateway = createGateway({
    devices,
    ledger,
    commands,
    transport,
    metrics,
    logger,
    devicesWithOpenCommands: await commands.devicesWithOpen(),
    clock,
    // The engine starts later; a unit confirming a reporting interval re-reads its supervisions.
    onCommandConfirmed: (deviceId) => engineRef?.deviceChanged(deviceId),
  });
  const helloTimer = setInterval(() => {
    devices
      .flushHellos()
      .catch((err: unknown) => logger.warn({ err: String(err) }, 'recording hellos failed'));
  }, 1000);
  helloTimer.unref();
  await transport.start((topic, payload) => gateway.onUplink(topic, payload));

  const auth = createAuthService({
    db: database.db,
    repo: createIdentityRepository(database.db),
    policy: { idleMinutes: config.SDE_SESSION_IDLE_MINUTES, maxHours: config.SDE_SESSION_MAX_HOURS },
    totpRequiredRoles: config.SDE_TOTP_REQUIRED_ROLES,
  });
  const http = createHttpServer({
    logger,
    ...(httpTls ? { tls: httpTls } : {}),
    allowedOrigins: config.SDE_ALLOWED_ORIGINS,
    ...(config.SDE_TRUST_PROXY ? { trustProxy: config.SDE_TRUST_PROXY } : {}),
  });
  await http.after();
  installAuthentication(http, { auth, adminToken });
  registerAuthRoutes(http, {
    auth,
    db: database.db,
    audit: createAuditRepository(database.db),
    // A cookie sent over the center's own HTTPS is Secure whatever the setting, which is for a TLS proxy.
    secureCookies: config.SDE_SECURE_COOKIES === '1' || httpTls !== undefined,
    oidc: createOidcSignIn({
      auth,
      db: database.db,
      settings:
        config.SDE_OIDC_ISSUER && config.SDE_OIDC_CLIENT_ID
          ? {
              issuer: config.SDE_OIDC_ISSUER,
              clientId: config.SDE_OIDC_CLIENT_ID,
              clientSecret: config.SDE_OIDC_CLIENT_SECRET,
              redirectUrl: config.SDE_OIDC_REDIRECT_URL,
              loginClaim: config.SDE_OIDC_LOGIN_CLAIM,
              name: config.SDE_OIDC_NAME,
            }
          : undefined,
    }),
  });
  const caseRepo = createCaseRepository(database.db);
  const supervisions = createSupervisionService({
    db: database.db,
    repo: caseRepo,
    unitCommands: (deviceId, body, by, record) => gateway.enqueueCommand(deviceId, body, by, record),
  });
  registerCaseRoutes(http, {
    cases: createCaseService({ db: database.db, repo: caseRepo, supervisions }),
    supervisions,
    db: database.db,
  });
  registerMonitoringRoutes(http, {
    db: database.db,
    monitoring: createMonitoringService({
      repo: createMonitoringRepository(database.db),
      cases: caseRepo,
      db: database.db,
    }),
  });
  // Compliance engine, alarms, notification (issue 4).
  const live = createInProcessLiveBus();
  const alarmRepo = createAlarmRepository(database.db);
  const outbox = createOutboxRepository(database.db);
  const channels: NotificationChannel[] = [];
  if (config.SDE_SMTP_URL)
    channels.push(createEmailChannel({ url: config.SDE_SMTP_URL, from: config.SDE_SMTP_FROM }));
  if (config.SDE_SMS_PROVIDER === 'http' && config.SDE_SMS_HTTP_URL)
    channels.push(createHttpSmsChannel({ url: config.SDE_SMS_HTTP_URL, token: config.SDE_SMS_HTTP_TOKEN }));
  const alarms = createAlarmService({
    db: database.db,
    repo: alarmRepo,
    outbox,
    bus: live,
    channels: () => ({
      email: channels.some((c) => c.name === 'email'),
      sms: channels.some((c) => c.name === 'sms'),
    }),
    // Called only after start, when `dispatcher` exists.
    onQueued: () => dispatcher.poke(),
  });
  const dispatcher: Dispatcher = createDispatcher({
    db: database.db,
    outbox,
    alarmsRepo: alarmRepo,
    alarms,
    channels,
    logger,
    settings: {
      maxAttempts: config.SDE_NOTIFY_MAX_ATTEMPTS,
      retryBaseMs: config.SDE_NOTIFY_RETRY_BASE_MS,
      escalateAfterMs: config.SDE_ALARM_ESCALATE_AFTER_SECONDS * 1000,
    },
  });
  const engine: EngineRunner = (engineRef = createEngineRunner({
    ledger,
    repo: createEngineRepository(database.db),
    cases: caseRepo,
    alarms,
    logger,
    clock,
    settings: {
      debounceMs: config.SDE_ENGINE_DEBOUNCE_MS,
      firstEvaluationSpanMs: 7 * 86_400_000,
      reportIntervals: {
        home_unit: config.SDE_ENGINE_HOME_UNIT_INTERVAL_SECONDS * 1000,
        portable_unit: config.SDE_ENGINE_PORTABLE_UNIT_INTERVAL_SECONDS * 1000,
        protected_unit: config.SDE_ENGINE_PROTECTED_UNIT_INTERVAL_SECONDS * 1000,
      },
    },
  }));
  registerAlarmPipelineMetrics(metrics.registry, {
    engine,
    dispatcher,
    openAlarms: () => alarmRepo.openCounts(),
  });
  const streams = registerAlarmRoutes(http, {
    alarms,
    bus: live,
    auth,
    streamCheckMs: config.SDE_STREAM_CHECK_SECONDS * 1000,
    db: database.db,
    onConfigurationChange: () => engine.configurationChanged(),
  });
  await engine.start();
  await dispatcher.start();
  const deadlines = createDeadlineJob({ db: database.db, repo: caseRepo, supervisions, logger });
  await deadlines.start();
  registerRoutes(http, {
    db: database.db,
    devices,
    commands,
    gateway,
    ledger,
    metrics,
    health: async () => ({
      storage: await sql`select 1`.execute(database.db).then(
        () => true,
        () => false,
      ),
      broker: transport.healthy(),
    }),
  });
  // The web console at / (packages/console/dist), with the SPA fallback.
  registerConsole(http);
  // ADR 0402: a route registered by hand escapes the table's permission, scope and audit checks.
  for (const r of http.routeInventory.filter((x) => x.declared === undefined)) {
    logger.warn({ method: r.method, url: r.url }, 'HTTP route outside the route table');
  }
  const connectedTimer = setInterval(() => {
    const n = transport.connectedDevices();
    if (n !== undefined) metrics.devicesConnected.set(n);
    else
      devices.countRecentlySeen(new Date(Date.now() - 5 * 60_000)).then(
        (c) => metrics.devicesConnected.set(c),
        () => undefined,
      );
  }, 5000);
  connectedTimer.unref();

  let httpPort: number;
  try {
    await http.ready();
    const bound = await listenWithFallback(http.server, {
      host: config.SDE_HOST,
      port: config.httpPort,
      explicit: config.httpPortExplicit,
      what: 'HTTP server',
      hint: 'Set SDE_HTTP_PORT to a free port.',
    });
    httpPort = bound.port;
    if (bound.fellBack)
      notices.push(`HTTP port ${config.httpPort} is taken; the center listens on ${httpPort} instead.`);
  } catch (err) {
    await deadlines.stop();
    await engine.stop();
    await dispatcher.stop();
    await transport.stop();
    await database.close();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    httpUrl: `${httpTls ? 'https' : 'http'}://${config.SDE_HOST}:${httpPort}`,
    mqttUrl: transport.url,
    adminToken,
    storage: database.kind,
    notices,
    routes: http.routeInventory,
    database,
    devices,
    ledger,
    gateway,
    metrics,
    auth,
    engine,
    alarms,
    notify: dispatcher,
    live,
    stop() {
      stopping ??= (async () => {
        clearInterval(connectedTimer);
        clearInterval(helloTimer);
        await transport.stop();
        await gateway.drain();
        await ledger.drain();
        await engine.stop();
        await dispatcher.stop();
        await deadlines.stop();
        await devices.flushHellos();
        streams.closeAll();
        await http.close();
        await database.close();
      })();
      return stopping;
    },
  };
}
