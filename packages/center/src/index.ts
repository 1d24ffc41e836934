export { startCenter, adminTokenFor, type Center } from './center.js';
export { loadConfig, ConfigSchema, type Config } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { openDatabase, migrate, type DatabaseHandle } from './db/database.js';
export { PortInUseError } from './net.js';
export { seedDemo, type DemoSeed, type DemoUser } from './demo/seed.js';
