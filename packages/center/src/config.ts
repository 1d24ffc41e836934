/** The center's settings, read once from the environment at start and validated. */
import { z } from 'zod';
import { DEFAULT_MAX_SEQ_AHEAD } from './ledger/plausibility.js';

const port = z.coerce.number().int().min(0).max(65535);

/** Every environment variable the center reads, with what it means. */
export const ConfigSchema = z.object({
  /** Directory of the embedded database (PGlite) and of the admin token file. */
  SDE_DATA_DIR: z.string().default('./data'),
  /** PostgreSQL server URL; when set, the embedded database is not used. */
  SDE_DATABASE_URL: z.string().url().optional(),
  /** External MQTT broker URL (mqtt://host:port); when set, no broker is embedded. */
  SDE_MQTT_URL: z.string().url().optional(),
  /** Port of the embedded MQTT broker. Explicitly set and taken: the center refuses to start. */
  SDE_MQTT_PORT: port.optional(),
  /** PEM certificate of the embedded broker; with SDE_MQTT_TLS_KEY it accepts devices over TLS only. */
  SDE_MQTT_TLS_CERT: z.string().optional(),
  /** PEM private key of the embedded broker's certificate. */
  SDE_MQTT_TLS_KEY: z.string().optional(),
  /** Address the embedded broker and the HTTP server listen on. */
  SDE_HOST: z.string().default('127.0.0.1'),
  /** HTTP port of the API, health, metrics and console. Explicitly set and taken: the center refuses to start. */
  SDE_HTTP_PORT: port.optional(),
  /** Admin API token; when unset, one is generated on first start and written to the data directory. */
  SDE_ADMIN_TOKEN: z.string().min(16).optional(),
  /** Log level: fatal, error, warn, info, debug, trace or silent. */
  SDE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Ledger transactions written in parallel (default: 1 on PGlite, 2 on a PostgreSQL server). */
  SDE_INGEST_LANES: z.coerce.number().int().min(1).max(16).optional(),
  /** Minutes of inactivity after which a console session ends (shared terminals). */
  SDE_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** Hours after which a console session ends whatever the activity. */
  SDE_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(72).default(12),
  /** Mark session cookies Secure (HTTPS only); set to 1 behind TLS in production. */
  SDE_SECURE_COOKIES: z.enum(['0', '1']).default('0'),
  /** Events queued for storage beyond which new batches are refused as overloaded (devices retry). */
  SDE_INGEST_MAX_QUEUED_EVENTS: z.coerce.number().int().min(1000).default(200_000),
  /**
   * How far above a unit's acknowledged mark its sequence numbers may go; a frame beyond is refused as
   * `seq_out_of_range` and kept in quarantine (ADR 0408). Default: 1,000,000 (72 h at 3.9 events/s).
   */
  SDE_INGEST_MAX_SEQ_AHEAD: z.coerce
    .number()
    .int()
    .min(10_000)
    .max(1_000_000_000)
    .default(DEFAULT_MAX_SEQ_AHEAD),
  /** Milliseconds the engine waits to gather a supervision's events before evaluating them together. */
  SDE_ENGINE_DEBOUNCE_MS: z.coerce.number().int().min(0).max(10_000).default(50),
  /** Reporting (heartbeat) interval the engine expects of home units, seconds (communication loss). */
  SDE_ENGINE_HOME_UNIT_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
  /** Reporting interval the engine expects of portable units, seconds. */
  SDE_ENGINE_PORTABLE_UNIT_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
  /** Reporting interval the engine expects of protected persons' units, seconds. */
  SDE_ENGINE_PROTECTED_UNIT_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
  /** SMTP server for alarm e-mails, smtp[s]://user:pass@host:port; unset: e-mail is disabled. */
  SDE_SMTP_URL: z.string().url().optional(),
  /** Sender of alarm e-mails. */
  SDE_SMTP_FROM: z.string().default('SDE Centrala Monitorowania <alarmy@sde.invalid>'),
  /** SMS provider: `none` (default: no SMS, no outbound calls) or `http` (a generic HTTP gateway). */
  SDE_SMS_PROVIDER: z.enum(['none', 'http']).default('none'),
  /** URL the `http` SMS provider POSTs `{ to, text, id }` to. */
  SDE_SMS_HTTP_URL: z.string().url().optional(),
  /** Bearer token for the SMS gateway, if it needs one. */
  SDE_SMS_HTTP_TOKEN: z.string().optional(),
  /** Seconds after which an unacknowledged critical alarm is escalated to the region's operators and the Bureau. */
  SDE_ALARM_ESCALATE_AFTER_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** Attempts to deliver one notification before it is recorded as failed. */
  SDE_NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** First retry delay of a failed notification, ms (doubles each attempt, at most 10 minutes). */
  SDE_NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(5000),
});

export type Config = z.infer<typeof ConfigSchema> & {
  /** True when the port came from the environment rather than the default. */
  mqttPortExplicit: boolean;
  httpPortExplicit: boolean;
  mqttPort: number;
  httpPort: number;
};

export const DEFAULT_MQTT_PORT = 1883;
export const DEFAULT_HTTP_PORT = 8080;

/** Reads and validates the configuration; throws a readable error naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('SDE_') && v !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return {
    ...c,
    mqttPortExplicit: c.SDE_MQTT_PORT !== undefined,
    httpPortExplicit: c.SDE_HTTP_PORT !== undefined,
    mqttPort: c.SDE_MQTT_PORT ?? DEFAULT_MQTT_PORT,
    httpPort: c.SDE_HTTP_PORT ?? DEFAULT_HTTP_PORT,
  };
}
