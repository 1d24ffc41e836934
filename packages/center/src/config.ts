/** The center's settings, read once from the environment at start and validated. */
import { isIP } from 'node:net';
import { RETENTION_DEFAULT_MONTHS, RETENTION_MAX_MONTHS, RETENTION_MIN_MONTHS } from '@sde/domain';
import { z } from 'zod';
import { ROLES } from './auth/actor.js';
import { DEFAULT_MAX_SEQ_AHEAD } from './ledger/plausibility.js';

const port = z.coerce.number().int().min(0).max(65535);

/** A comma-separated list of origins (`scheme://host[:port]`, no path), each as a browser writes it. */
const origins = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const list = value
      .split(',')
      .map((o) => o.trim().replace(/\/+$/, ''))
      .filter((o) => o !== '');
    for (const o of list) {
      let origin: string | undefined;
      try {
        const u = new URL(o);
        if (u.protocol === 'http:' || u.protocol === 'https:') origin = u.origin;
      } catch {
        /* reported below */
      }
      if (origin !== o.toLowerCase())
        ctx.addIssue({
          code: 'custom',
          message: `"${o}" is not an origin like https://sde.example.org[:port]`,
        });
    }
    return list.map((o) => o.toLowerCase());
  });

/** Every environment variable the center reads, with what it means. */
export const ConfigSchema = z.object({
  /** Directory of the embedded database (PGlite), of the admin token file and of the secrets key file. */
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
  /** PEM certificate (chain) of the HTTP server; with SDE_HTTP_TLS_KEY the console and API are served over HTTPS only. */
  SDE_HTTP_TLS_CERT: z.string().optional(),
  /** PEM private key of the HTTP server's certificate. */
  SDE_HTTP_TLS_KEY: z.string().optional(),
  /** Origins besides the center's own (comma list) whose pages may write: a reverse proxy's public address. */
  SDE_ALLOWED_ORIGINS: origins,
  /** Address the embedded broker and the HTTP server listen on. */
  SDE_HOST: z.string().default('127.0.0.1'),
  /** HTTP port of the API, health, metrics and console. Explicitly set and taken: the center refuses to start. */
  SDE_HTTP_PORT: port.optional(),
  /** Admin API token; when unset, one is generated on first start and written to the data directory. */
  SDE_ADMIN_TOKEN: z.string().min(16).optional(),
  /**
   * Key the device secrets are encrypted with at rest (ADR 0409): 32 bytes in base64 (`openssl rand -base64 32`).
   * Unset: read from SDE_SECRETS_KEY_FILE, else from SDE_DATA_DIR/secrets.key (created, mode 0600, on first start).
   */
  SDE_SECRETS_KEY: z
    .string()
    .refine((v) => Buffer.from(v.trim(), 'base64').length === 32, 'must be 32 bytes in base64')
    .optional(),
  /** File holding that key (base64, e.g. a mounted secret of the server); it must exist. */
  SDE_SECRETS_KEY_FILE: z.string().optional(),
  /**
   * Ed25519 private key (PKCS#8 PEM) that signs the checkpoints of the hash chains (ADR 0701). Unset:
   * SDE_DATA_DIR/checkpoint.key, created (mode 0600) on first start.
   */
  SDE_CHECKPOINT_KEY_FILE: z.string().optional(),
  /** Minutes between two signed checkpoints of the chains' heads (at most 60: the law's evidence, hourly). */
  SDE_CHECKPOINT_MINUTES: z.coerce.number().int().min(1).max(60).default(15),
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
  /**
   * Seconds between a live stream's looks at its session (ADR 0404): how soon a stream whose session
   * expired closes, and how often a watching operator's stream keeps the session in use.
   */
  SDE_STREAM_CHECK_SECONDS: z.coerce.number().int().min(1).max(60).default(15),
  /**
   * Reverse proxies whose X-Forwarded-For is believed, comma-separated: addresses, CIDR ranges, or
   * `loopback` / `linklocal` / `uniquelocal`. Unset (default): the audit records the connection's own
   * address and no header a client sends changes it.
   */
  SDE_TRUST_PROXY: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.length > 0 && list.every(isProxyAddress),
      'addresses or CIDR ranges separated by commas, or loopback / linklocal / uniquelocal',
    )
    .optional(),
  /**
   * Roles that must sign in with a TOTP second factor, comma-separated (e.g.
   * operator,judge,probation_officer,bureau_admin); such a user without one enrols at the next sign-in.
   * Default: none (any user may still enrol one).
   */
  SDE_TOTP_REQUIRED_ROLES: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(ROLES))),
  /** OpenID Connect provider (issuer URL) of an agency's identity provider; unset: password sign-in only. */
  SDE_OIDC_ISSUER: z.string().url().optional(),
  /** The center's client id at the OpenID Connect provider. */
  SDE_OIDC_CLIENT_ID: z.string().optional(),
  /** The center's client secret at the provider (unset: a public client, PKCE only). */
  SDE_OIDC_CLIENT_SECRET: z.string().optional(),
  /** Where the provider sends the browser back; default: this center's /api/v1/auth/oidc/callback. */
  SDE_OIDC_REDIRECT_URL: z.string().url().optional(),
  /** The identity's claim whose value is the SDE login. */
  SDE_OIDC_LOGIN_CLAIM: z.string().default('preferred_username'),
  /** The provider's name on the console's sign-in button ("Zaloguj przez …"). */
  SDE_OIDC_NAME: z.string().max(60).default('OpenID Connect'),
  /** Mark session cookies Secure (HTTPS only); set to 1 behind a TLS-terminating proxy (automatic with SDE_HTTP_TLS_*). */
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
  /**
   * Months the ledger's events, positions and raw frames are kept from their registration, and a case's
   * personal data from its end, unless a legal hold keeps them (T4.7, ADR 0702). Default and minimum: 24,
   * the regulation's two years; at most 120.
   */
  SDE_RETENTION_MONTHS: z.coerce
    .number()
    .int()
    .min(RETENTION_MIN_MONTHS)
    .max(RETENTION_MAX_MONTHS)
    .default(RETENTION_DEFAULT_MONTHS),
  /** Seconds after which an unacknowledged critical alarm is escalated to the region's operators and the Bureau. */
  SDE_ALARM_ESCALATE_AFTER_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** Attempts to deliver one notification before it is recorded as failed. */
  SDE_NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** First retry delay of a failed notification, ms (doubles each attempt, at most 10 minutes). */
  SDE_NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(5000),
});

function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !address || isIP(address) === 0) return false;
  if (bits === undefined) return true;
  const max = isIP(address) === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

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
  if ((c.SDE_HTTP_TLS_CERT === undefined) !== (c.SDE_HTTP_TLS_KEY === undefined))
    throw new Error(
      'invalid configuration:\n  SDE_HTTP_TLS_CERT and SDE_HTTP_TLS_KEY: set both (HTTPS) or neither (HTTP)',
    );
  if (c.SDE_OIDC_ISSUER && !c.SDE_OIDC_CLIENT_ID) {
    throw new Error('invalid configuration:\n  SDE_OIDC_CLIENT_ID: required when SDE_OIDC_ISSUER is set');
  }
  return {
    ...c,
    mqttPortExplicit: c.SDE_MQTT_PORT !== undefined,
    httpPortExplicit: c.SDE_HTTP_PORT !== undefined,
    mqttPort: c.SDE_MQTT_PORT ?? DEFAULT_MQTT_PORT,
    httpPort: c.SDE_HTTP_PORT ?? DEFAULT_HTTP_PORT,
  };
}
