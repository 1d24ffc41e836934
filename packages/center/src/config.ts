/** The center's settings, read once from the environment at start and validated. */
import { z } from 'zod';

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
  /** Address the embedded broker and the HTTP server listen on. */
  SDE_HOST: z.string().default('127.0.0.1'),
  /** HTTP port of the API, health, metrics and console. Explicitly set and taken: the center refuses to start. */
  SDE_HTTP_PORT: port.optional(),
  /** Admin API token; when unset, one is generated on first start and written to the data directory. */
  SDE_ADMIN_TOKEN: z.string().min(16).optional(),
  /** Log level: fatal, error, warn, info, debug, trace or silent. */
  SDE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
