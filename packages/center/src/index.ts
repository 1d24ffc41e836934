export { startCenter, adminTokenFor, type Center, type CenterOptions } from './center.js';
export { systemClock, type Clock } from './clock.js';
export { loadConfig, ConfigSchema, type Config } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { openDatabase, migrate, type DatabaseHandle } from './db/database.js';
export { PortInUseError } from './net.js';
export { seedDemo, type DemoSeed, type DemoUser } from './demo/seed.js';
