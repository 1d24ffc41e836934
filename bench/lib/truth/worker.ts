/** Worker thread of bench/truth.ts: runs the slices it is sent, one at a time, and posts each result. */
import { parentPort, workerData } from 'node:worker_threads';
import type { FleetParams } from './model.js';
import { runSlice } from './slice.js';

const data = workerData as { params: FleetParams; foldMs: number; exact: boolean };
parentPort?.on('message', (m: { from: number; to: number } | null) => {
  if (m === null) {
    parentPort?.close();
    return;
  }
  parentPort?.postMessage(runSlice(data.params, m.from, m.to, { foldMs: data.foldMs, exact: data.exact }));
});
