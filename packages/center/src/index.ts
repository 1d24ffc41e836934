export { startCenter, adminTokenFor, type Center, type CenterOptions } from './center.js';
export { systemClock, type Clock } from './clock.js';
export { loadConfig, ConfigSchema, type Config } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { openDatabase, migrate, type DatabaseHandle } from './db/database.js';
export { PortInUseError } from './net.js';
export { seedDemo, type DemoSeed, type DemoUser } from './demo/seed.js';
export {
  createLocalKeyProvider,
  keyIdOf,
  newKeyText,
  parseKey,
  readKeyFile,
  readKeySource,
  KEY_FILE_NAME,
  type KeyProvider,
  type KeySource,
  type Sealed,
} from './secrets/key-provider.js';
export {
  checkSecretsKey,
  rotateDeviceSecrets,
  sealPlaintextSecrets,
  SecretsKeyError,
  type RotationProgress,
  type RotationResult,
} from './secrets/device-secrets.js';
export type { RetentionReport } from './retention/retention.job.js';
