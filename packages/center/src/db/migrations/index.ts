/** Ordered migrations: plain SQL, run at start, each once, in one transaction. Never edit a landed one. */
import { sql as m0001 } from './0001_ledger.js';
import { sql as m0002 } from './0002_identity.js';
import { sql as m0003 } from './0003_cases.js';
import { sql as m0004 } from './0004_alarms.js';
import { sql as m0005 } from './0005_device_fillfactor.js';
import { sql as m0006 } from './0006_device_seqs.js';
import { sql as m0007 } from './0007_clock_offset_int8.js';
import { sql as m0008 } from './0008_ledger_statistics.js';
import { sql as m0009 } from './0009_signin.js';
import { sql as m0010 } from './0010_audit.js';
import { sql as m0011 } from './0011_devinput.js';
import { sql as m0012 } from './0012_secrets.js';
import { sql as m0015 } from './0015_routes.js';
import { sql as m0016 } from './0016_alarm_truth.js';
import { sql as m0017 } from './0017_protocol_v11.js';
import { sql as m0018 } from './0018_chains.js';
import { sql as m0019 } from './0019_retention.js';
import { sql as m0021 } from './0021_application_decision.js';

export const MIGRATIONS: readonly { id: string; sql: string }[] = [
  { id: '0001_ledger', sql: m0001 },
  { id: '0002_identity', sql: m0002 },
  { id: '0003_cases', sql: m0003 },
  { id: '0004_alarms', sql: m0004 },
  { id: '0005_device_fillfactor', sql: m0005 },
  { id: '0006_device_seqs', sql: m0006 },
  { id: '0007_clock_offset_int8', sql: m0007 },
  { id: '0008_ledger_statistics', sql: m0008 },
  { id: '0009_signin', sql: m0009 },
  { id: '0010_audit', sql: m0010 },
  { id: '0011_devinput', sql: m0011 },
  { id: '0012_secrets', sql: m0012 },
  { id: '0015_routes', sql: m0015 },
  { id: '0016_alarm_truth', sql: m0016 },
  { id: '0017_protocol_v11', sql: m0017 },
  { id: '0018_chains', sql: m0018 },
  { id: '0019_retention', sql: m0019 },
  { id: '0021_application_decision', sql: m0021 },
];
