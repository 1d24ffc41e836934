/**
 * What the hash chains cost the ledger's event loop (ADR 0701): hashing a group's frames and events the way
 * the ledger does before its statement (`rawText`, `eventText`, `link`, `storedMs`): CPU µs per event, on groups
 * shaped like the ingest bar's (frames of 4 events from 5,000 units, heartbeats and positions).
 *
 * usage: npx tsx bench/chains.ts [--events 200000] [--runs 5]
 */
import { parseArgs } from 'node:util';
import { eventText, GENESIS, link, rawText, storedMs } from '../packages/center/src/chains/chain.js';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '200000' }, runs: { type: 'string', default: '5' } },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const t0 = Date.UTC(2026, 11, 3, 12);

// A frame as a unit sends it (about 420 bytes for 4 events), and the events decoded from it.
const frames = Array.from({ length: EVENTS / 4 }, (_, f) => {
  const events = Array.from({ length: 4 }, (_, i) => {
    const seq = f * 4 + i + 1;
    return i % 2 === 0
      ? { seq, t: t0 + seq * 250, kind: 'heartbeat', battery: 87, charging: false, gsm: -71 }
      : {
          seq,
          t: t0 + seq * 250,
          kind: 'position',
          lat: 52.2297 + seq * 1e-6,
          lon: 21.0122,
          acc: 8,
          src: 'gnss',
        };
  });
  return {
    deviceNo: f % 5000,
    frame: `${JSON.stringify({ v: 1, type: 'events', dev: `HU-${f % 5000}`, ts: t0 + f, events })}\t${'a'.repeat(64)}`,
    events,
  };
});

function hashAll(): number {
  const heads = new Map<number, string>();
  let id = 1;
  // CPU time, not wall time: the host is shared, and what matters is the core the loop spends.
  const start = process.cpuUsage();
  for (const fr of frames) {
    const receivedAt = storedMs(t0 + id);
    const rawId = id++;
    let head = link(
      heads.get(fr.deviceNo) ?? GENESIS,
      rawText({ id: rawId, deviceNo: fr.deviceNo, receivedAt, source: 'mqtt', frame: fr.frame }),
    );
    for (const e of fr.events) {
      const { seq, t, kind, ...body } = e;
      head = link(
        head,
        eventText({
          id: id++,
          deviceNo: fr.deviceNo,
          seq,
          kind,
          deviceTime: storedMs(t),
          time: storedMs(t + 40),
          rawId,
          receivedAt,
          source: 'mqtt',
          flags: [],
          body,
        }),
      );
    }
    heads.set(fr.deviceNo, head);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / EVENTS;
}

hashAll(); // warm-up
const us = Array.from({ length: RUNS }, hashAll).sort((a, b) => a - b);
const median = us[Math.floor(us.length / 2)]!;
console.log(
  JSON.stringify({
    events: EVENTS,
    runs: RUNS,
    usPerEvent: Number(median.toFixed(3)),
    // Of one core, at the ingest bar.
    coreAt20k: Number(((median * 20_000) / 1e6).toFixed(4)),
    all: us.map((x) => Number(x.toFixed(3))),
  }),
);
