/**
 * Equipment rules (T1, T2.3, T3, B4): strap and case tamper, unit moved, batteries, mains power, faults.
 * Tamper, move and fault episodes are closed by an operator (no device event says "repaired"); repeats
 * within `coalesceMs` of the previous one join one episode. Battery and power episodes resolve when the
 * device reports recovery. A battery running down is one episode per device whose severity rises (ADR 0502).
 */
import type { RawEpisode, RuleContext, RuleResult, Segment } from './core.js';
import { capitalise, evidenceText, fmtTime, isNum, segmentAt, transitionSpans } from './core.js';
import type { AlarmRule, AlarmSeverity, Bilingual, EngineEvent } from './types.js';

/** True when the event comes from a unit assigned at its time (any role). */
function fromAssignedUnit(s: Segment, e: EngineEvent): boolean {
  const d = s.version.devices;
  return [d.homeUnit, d.portableUnit, d.protectedUnit].some((u) => u?.deviceId === e.deviceId);
}

/** True when a unit worn-side event (tx_*) concerns the assigned transmitter and comes from the person's unit. */
function aboutTransmitter(s: Segment, e: EngineEvent): boolean {
  const d = s.version.devices;
  return (
    e.body.tx === d.transmitterId &&
    (d.homeUnit?.deviceId === e.deviceId || d.portableUnit?.deviceId === e.deviceId)
  );
}

interface PointSpec {
  readonly rule: AlarmRule;
  readonly severity: AlarmSeverity;
  readonly cause: string;
  readonly subject: string;
  readonly what: Bilingual;
  readonly clause: Bilingual;
}

/** Classifies an event into the operator-closed (point) rules it triggers. */
function pointSpecs(s: Segment, e: EngineEvent): PointSpec[] {
  const d = s.version.devices;
  const ref = s.version.orderRef;
  const tx = d.transmitterId;
  const equip = (pl: string, en: string): Bilingual => ({ pl: `${ref}: ${pl}`, en: `${ref}: ${en}` });
  switch (e.kind) {
    case 'tx_strap_tamper':
      if (!aboutTransmitter(s, e)) return [];
      return [
        {
          rule: 'strap_tamper',
          severity: 'critical',
          cause: 'strap_opened',
          subject: tx,
          what: {
            pl: `naruszenie paska nadajnika ${tx} (zdjęcie z ciała)`,
            en: `strap of transmitter ${tx} tampered (removed from the body)`,
          },
          clause: equip(
            'noszenie nadajnika bez przerwy (T1)',
            'the transmitter must be worn at all times (T1)',
          ),
        },
      ];
    case 'tx_case_tamper':
      if (!aboutTransmitter(s, e)) return [];
      return [
        {
          rule: 'case_tamper',
          severity: 'critical',
          cause: 'transmitter_case_opened',
          subject: tx,
          what: { pl: `otwarcie obudowy nadajnika ${tx}`, en: `case of transmitter ${tx} opened` },
          clause: equip('zakaz ingerencji w urządzenia (T1)', 'no interference with the devices (T1)'),
        },
      ];
    case 'unit_case_tamper':
      if (!fromAssignedUnit(s, e)) return [];
      return [
        {
          rule: 'case_tamper',
          severity: 'critical',
          cause: 'unit_case_opened',
          subject: e.deviceId,
          what: { pl: `otwarcie obudowy urządzenia ${e.deviceId}`, en: `case of unit ${e.deviceId} opened` },
          clause: equip('zakaz ingerencji w urządzenia (T2.3)', 'no interference with the devices (T2.3)'),
        },
      ];
    case 'unit_moved':
      if (!fromAssignedUnit(s, e)) return [];
      return [
        {
          rule: 'unit_moved',
          severity: 'serious',
          cause: 'unit_moved',
          subject: e.deviceId,
          what: { pl: `przemieszczenie rejestratora ${e.deviceId}`, en: `home unit ${e.deviceId} moved` },
          clause: equip(
            'rejestrator zainstalowany w miejscu dozoru (T2.3)',
            'the home unit stays where installed (T2.3)',
          ),
        },
      ];
    case 'fault': {
      if (!fromAssignedUnit(s, e)) return [];
      const code = e.body.code ?? 'unknown';
      // The unit's own words: its detail when it sent one, else its fault code.
      const detail = e.body.detail ?? code;
      return [
        {
          rule: 'device_fault',
          severity: 'serious',
          cause: code,
          subject: `${e.deviceId}:${code}`,
          what: {
            pl: `usterka urządzenia ${e.deviceId}: ${detail}`,
            en: `fault of unit ${e.deviceId}: ${detail}`,
          },
          clause: equip('sprawność urządzeń monitorujących', 'the monitoring devices must work'),
        },
      ];
    }
    case 'tx_battery_low': // one battery episode per device, see batteryRules
    case 'heartbeat':
    case 'tx_in_range':
    case 'tx_out_of_range':
    case 'unit_power_lost':
    case 'unit_power_restored':
    case 'unit_battery_low':
    case 'location':
    case 'proximity_tx_heard':
    case 'proximity_tx_lost':
    case 'message_read':
      return [];
  }
}

/** Equipment rules. */
export function equipmentRules(ctx: RuleContext): RuleResult {
  const episodes: RawEpisode[] = [];
  // Operator-closed rules: cluster repeats.
  const groups = new Map<string, { spec: PointSpec; seg: Segment; events: EngineEvent[] }[]>();
  for (const e of ctx.events) {
    const s = segmentAt(ctx.segments, e.time);
    if (s === undefined) continue;
    for (const spec of pointSpecs(s, e)) {
      const key = `${spec.rule}\u0000${spec.subject}`;
      const clusters = groups.get(key) ?? [];
      const last = clusters[clusters.length - 1];
      const lastEv = last?.events[last.events.length - 1];
      if (
        last !== undefined &&
        lastEv !== undefined &&
        e.time - lastEv.time <= s.settings.equipment.coalesceMs
      ) {
        last.events.push(e);
      } else clusters.push({ spec, seg: s, events: [e] });
      groups.set(key, clusters);
    }
  }
  for (const clusters of groups.values()) {
    for (const { spec, seg, events } of clusters) {
      const first = events[0] as EngineEvent;
      const ev = evidenceText(events);
      const repeats =
        events.length > 1
          ? { pl: ` (powtórzone ${events.length} razy)`, en: ` (repeated ${events.length} times)` }
          : { pl: '', en: '' };
      episodes.push({
        rule: spec.rule,
        subject: spec.subject,
        severity: spec.severity,
        cause: spec.cause,
        startedAt: first.time,
        openedAt: first.time,
        endsBy: 'operator',
        evidence: events,
        decisive: [first],
        gapDevices: [],
        segment: seg,
        clause: spec.clause,
        explanation: {
          pl: `Reguła: stan urządzeń. ${capitalise(spec.what.pl)} o ${fmtTime(first.time, 'pl')}${repeats.pl}; zamyka operator po wyjaśnieniu. Postanowienie: ${spec.clause.pl}. Dowody: ${ev.pl}.`,
          en: `Rule: equipment. ${capitalise(spec.what.en)} at ${fmtTime(first.time, 'en')}${repeats.en}; an operator closes it once explained. Order: ${spec.clause.en}. Evidence: ${ev.en}.`,
        },
      });
    }
  }
  episodes.push(...conditionRules(ctx), ...batteryRules(ctx));
  return { episodes, due: [] };
}

/** Mains power: open on the loss, resolve on restoration (or a heartbeat on mains). */
function conditionRules(ctx: RuleContext): RawEpisode[] {
  const episodes: RawEpisode[] = [];
  const units = new Set<string>();
  for (const s of ctx.segments) {
    const d = s.version.devices;
    for (const u of [d.homeUnit, d.portableUnit, d.protectedUnit]) if (u) units.add(u.deviceId);
  }
  const stretches = stretchesOf(ctx.segments, (s) => {
    const d = s.version.devices;
    return [d.homeUnit, d.portableUnit, d.protectedUnit].flatMap((u) => (u ? [u.deviceId] : []));
  });
  for (const unit of [...units].sort()) {
    const evs = ctx.events.filter((e) => {
      if (e.deviceId !== unit) return false;
      const s = segmentAt(ctx.segments, e.time);
      return s !== undefined && fromAssignedUnit(s, e);
    });
    const specs: {
      rule: AlarmRule;
      severity: AlarmSeverity;
      on: (e: EngineEvent) => boolean;
      off: (e: EngineEvent) => boolean;
      what: Bilingual;
      end: Bilingual;
      clause: Bilingual;
    }[] = [
      {
        rule: 'unit_power',
        severity: 'informational',
        on: (e) => e.kind === 'unit_power_lost',
        off: (e) => e.kind === 'unit_power_restored' || (e.kind === 'heartbeat' && e.body.power === 'mains'),
        what: { pl: `zanik zasilania sieciowego urządzenia ${unit}`, en: `mains power lost at unit ${unit}` },
        end: { pl: 'zasilanie przywrócone', en: 'power restored' },
        clause: { pl: 'zasilanie urządzenia (B4)', en: 'unit power supply (B4)' },
      },
    ];
    for (const spec of specs) {
      const transitions = evs
        .filter((e) => spec.on(e) || spec.off(e))
        .map((e) => ({ event: e, on: spec.on(e) && !spec.off(e) }));
      for (const span of transitionSpans(transitions, () => 0)) {
        if (span.start >= ctx.horizon) continue;
        // A unit that stops serving the supervision (replaced, removed, monitoring over) ends its episode.
        const stretch = stretches.find((st) => st.id === unit && st.from <= span.start && span.start < st.to);
        const cut = stretch !== undefined && stretch.to <= ctx.horizon ? stretch.to : undefined;
        const raw = span.end !== undefined && span.end <= ctx.horizon ? span.end : undefined;
        const unassigned = cut !== undefined && (raw === undefined || cut < raw);
        const end = unassigned ? cut : raw;
        const seg = segmentAt(ctx.segments, span.start) ?? (ctx.segments[0] as Segment);
        const clause = {
          pl: `${seg.version.orderRef}: ${spec.clause.pl}`,
          en: `${seg.version.orderRef}: ${spec.clause.en}`,
        };
        const first = span.events[0] as EngineEvent;
        const ev = evidenceText(span.events);
        episodes.push({
          rule: spec.rule,
          subject: unit,
          severity: spec.severity,
          cause: spec.rule,
          startedAt: span.start,
          openedAt: span.start,
          ...(end === undefined ? {} : { resolvedAt: end }),
          endsBy: 'condition',
          evidence: span.events,
          decisive: [first],
          gapDevices: [],
          segment: seg,
          clause,
          explanation: {
            pl: `Reguła: stan urządzeń. ${capitalise(spec.what.pl)} od ${fmtTime(span.start, 'pl')}; ${end === undefined ? 'trwa' : `${unassigned ? 'urządzenie odłączone od dozoru' : spec.end.pl} o ${fmtTime(end, 'pl')}`}. Postanowienie: ${clause.pl}. Dowody: ${ev.pl}.`,
            en: `Rule: equipment. ${capitalise(spec.what.en)} from ${fmtTime(span.start, 'en')}; ${end === undefined ? 'ongoing' : `${unassigned ? 'unit removed from the supervision' : spec.end.en} at ${fmtTime(end, 'en')}`}. Order: ${clause.en}. Evidence: ${ev.en}.`,
          },
        });
      }
    }
  }
  return episodes;
}

/** A battery report: low (the device says so, or a level at or below critical) or recovered. */
interface BatteryReading {
  readonly event: EngineEvent;
  readonly low: boolean;
  readonly level: number | undefined;
  /** What ended it, for a recovery. */
  readonly how?: 'level' | 'mains';
}

/** Maximal runs of segments in which `ids(segment)` holds the device: `[from, to)`. */
function stretchesOf(
  segments: readonly Segment[],
  ids: (s: Segment) => readonly string[],
): { id: string; from: number; to: number }[] {
  const out: { id: string; from: number; to: number }[] = [];
  const open = new Map<string, { from: number; to: number }>();
  for (const s of segments) {
    const here = new Set(ids(s));
    for (const [id, st] of open) {
      if (!here.has(id) || st.to !== s.from) {
        out.push({ id, ...st });
        open.delete(id);
      }
    }
    for (const id of here) {
      const st = open.get(id);
      if (st !== undefined && st.to === s.from) st.to = s.to;
      else open.set(id, { from: s.from, to: s.to });
    }
  }
  for (const [id, st] of open) out.push({ id, ...st });
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.from - b.from));
}

/** The transmitter's battery reports: `tx_battery_low`, and v1.1 heartbeats carrying `txs[].battery`. */
function txReading(s: Segment, e: EngineEvent, tx: string): BatteryReading | undefined {
  const { batteryCriticalPercent: crit, batteryRecoveredPercent: ok } = s.settings.equipment;
  if (e.kind === 'tx_battery_low')
    return aboutTransmitter(s, e) && e.body.tx === tx
      ? { event: e, low: true, level: isNum(e.body.battery) ? e.body.battery : undefined }
      : undefined;
  if (e.kind !== 'heartbeat' || e.body.txs === undefined) return undefined;
  const d = s.version.devices;
  if (
    d.transmitterId !== tx ||
    (d.homeUnit?.deviceId !== e.deviceId && d.portableUnit?.deviceId !== e.deviceId)
  )
    return undefined;
  const level = e.body.txs.find((t) => t.tx === tx)?.battery;
  if (!isNum(level)) return undefined;
  if (level <= crit) return { event: e, low: true, level };
  if (level >= ok) return { event: e, low: false, level, how: 'level' };
  return undefined;
}

/** A unit's battery reports: `unit_battery_low`, heartbeats (level, power source), mains restored. */
function unitReading(s: Segment, e: EngineEvent): BatteryReading | undefined {
  const { batteryCriticalPercent: crit, batteryRecoveredPercent: ok } = s.settings.equipment;
  const level = isNum(e.body.battery) ? e.body.battery : undefined;
  if (e.kind === 'unit_battery_low') return { event: e, low: true, level };
  if (e.kind === 'unit_power_restored') return { event: e, low: false, level, how: 'mains' };
  if (e.kind !== 'heartbeat') return undefined;
  if (e.body.power === 'mains') return { event: e, low: false, level, how: 'mains' };
  if (level !== undefined && level >= ok) return { event: e, low: false, level, how: 'level' };
  if (e.body.power === 'battery' && level !== undefined && level <= crit)
    return { event: e, low: true, level };
  return undefined;
}

/**
 * Batteries: ONE episode per device from the first low report until the battery is charged or replaced
 * (ADR 0502). Its severity rises, never falls, while it is open: informational while low, serious from the
 * first report at or below `batteryCriticalPercent`. It ends at a report at or above
 * `batteryRecoveredPercent`, mains power (units), or when the device stops serving the supervision (a
 * transmitter replaced: its battery with it). Repeated low reports only add evidence.
 */
function batteryRules(ctx: RuleContext): RawEpisode[] {
  const episodes: RawEpisode[] = [];
  const targets = [
    ...stretchesOf(ctx.segments, (s) => [s.version.devices.transmitterId]).map((st) => ({
      ...st,
      transmitter: true,
    })),
    ...stretchesOf(ctx.segments, (s) => {
      const d = s.version.devices;
      return [d.homeUnit, d.portableUnit, d.protectedUnit].flatMap((u) => (u ? [u.deviceId] : []));
    }).map((st) => ({ ...st, transmitter: false })),
  ];
  for (const st of targets) {
    const readings: BatteryReading[] = [];
    for (const e of ctx.events) {
      if (e.time < st.from || e.time >= st.to || e.time > ctx.horizon) continue;
      if (!st.transmitter && e.deviceId !== st.id) continue;
      const s = segmentAt(ctx.segments, e.time);
      if (s === undefined) continue;
      const r = st.transmitter ? txReading(s, e, st.id) : unitReading(s, e);
      if (r !== undefined) readings.push(r);
    }
    let cur:
      | { start: number; events: EngineEvent[]; critical?: BatteryReading; reports: number; min?: number }
      | undefined;
    const emit = (end: { at: number; reading?: BatteryReading } | undefined): void => {
      if (cur === undefined) return;
      episodes.push(batteryEpisode(ctx, st.id, st.transmitter, cur, end));
      cur = undefined;
    };
    for (const r of readings) {
      const crit = (segmentAt(ctx.segments, r.event.time) as Segment).settings.equipment
        .batteryCriticalPercent;
      if (!r.low) {
        if (cur !== undefined) {
          cur.events.push(r.event);
          emit({ at: r.event.time, reading: r });
        }
        continue;
      }
      const report = r.event.kind !== 'heartbeat';
      if (cur === undefined) cur = { start: r.event.time, events: [r.event], reports: 0 };
      else if (report) cur.events.push(r.event);
      if (report) cur.reports++;
      if (r.level !== undefined) cur.min = Math.min(cur.min ?? r.level, r.level);
      if (r.level !== undefined && r.level <= crit && cur.critical === undefined) {
        cur.critical = r;
        if (!cur.events.includes(r.event)) cur.events.push(r.event);
      }
    }
    emit(st.to <= ctx.horizon ? { at: st.to } : undefined);
  }
  return episodes;
}

function batteryEpisode(
  ctx: RuleContext,
  device: string,
  transmitter: boolean,
  ep: { start: number; events: EngineEvent[]; critical?: BatteryReading; reports: number; min?: number },
  end: { at: number; reading?: BatteryReading } | undefined,
): RawEpisode {
  const seg = segmentAt(ctx.segments, ep.start) ?? (ctx.segments[0] as Segment);
  const ref = seg.version.orderRef;
  const clause = transmitter
    ? { pl: `${ref}: sprawność nadajnika (T1)`, en: `${ref}: the transmitter must work (T1)` }
    : { pl: `${ref}: sprawność urządzenia (T3)`, en: `${ref}: the unit must work (T3)` };
  const first = ep.events[0] as EngineEvent;
  const lvl = (n: number | undefined): string => (n === undefined ? '' : ` (${n} %)`);
  const firstLevel = first.kind === 'heartbeat' && !transmitter ? first.body.battery : undefined;
  const startLevel = ep.critical?.event === first ? ep.critical.level : (firstLevel ?? first.body.battery);
  const whose = transmitter
    ? { pl: `nadajnika ${device}`, en: `of transmitter ${device}` }
    : { pl: `urządzenia ${device}`, en: `of unit ${device}` };
  const crit = seg.settings.equipment.batteryCriticalPercent;
  const critical = ep.critical;
  const raise =
    critical === undefined
      ? { pl: '', en: '' }
      : critical.event === first
        ? {
            pl: ` — od razu krytyczny (najwyżej ${crit} %), ważność: poważny`,
            en: ` — critical at once (${crit} % or less), severity: serious`,
          }
        : {
            pl: `; krytyczny (najwyżej ${crit} %) od ${fmtTime(critical.event.time, 'pl')}${lvl(critical.level)}, ważność podniesiona z informacyjnej na poważną`,
            en: `; critical (${crit} % or less) from ${fmtTime(critical.event.time, 'en')}${lvl(critical.level)}, severity raised from informational to serious`,
          };
  const reports =
    ep.reports > 1
      ? {
          pl: ` Zgłoszeń niskiego poziomu: ${ep.reports}${ep.min === undefined ? '' : `, najniższy ${ep.min} %`}.`,
          en: ` Low-battery reports: ${ep.reports}${ep.min === undefined ? '' : `, lowest ${ep.min} %`}.`,
        }
      : { pl: '', en: '' };
  let close: { pl: string; en: string };
  if (end === undefined)
    close = {
      pl: 'trwa do naładowania lub wymiany baterii',
      en: 'lasts until the battery is charged or replaced',
    };
  else if (end.reading?.how === 'mains')
    close = {
      pl: `zasilanie sieciowe (ładowanie) od ${fmtTime(end.at, 'pl')}`,
      en: `on mains (charging) from ${fmtTime(end.at, 'en')}`,
    };
  else if (end.reading !== undefined)
    close = {
      pl: `bateria naładowana${lvl(end.reading.level)} o ${fmtTime(end.at, 'pl')}`,
      en: `battery charged${lvl(end.reading.level)} at ${fmtTime(end.at, 'en')}`,
    };
  else
    close = transmitter
      ? {
          pl: `nadajnik wymieniony lub odłączony od dozoru o ${fmtTime(end.at, 'pl')}`,
          en: `transmitter replaced or removed from the supervision at ${fmtTime(end.at, 'en')}`,
        }
      : {
          pl: `urządzenie wymienione lub odłączone od dozoru o ${fmtTime(end.at, 'pl')}`,
          en: `unit replaced or removed from the supervision at ${fmtTime(end.at, 'en')}`,
        };
  const ev = evidenceText(ep.events);
  return {
    rule: transmitter ? 'tx_battery_low' : 'unit_battery_low',
    subject: device,
    severity: critical === undefined ? 'informational' : 'serious',
    cause: `${transmitter ? 'transmitter' : 'unit'}_battery_${critical === undefined ? 'low' : 'critical'}`,
    startedAt: ep.start,
    openedAt: ep.start,
    ...(end === undefined ? {} : { resolvedAt: end.at }),
    endsBy: 'condition',
    evidence: ep.events,
    decisive: [first],
    gapDevices: [],
    segment: seg,
    clause,
    explanation: {
      pl: `Reguła: bateria. Niski poziom baterii ${whose.pl} od ${fmtTime(ep.start, 'pl')}${lvl(startLevel)}${raise.pl}; ${close.pl}.${reports.pl} Postanowienie: ${clause.pl}. Dowody: ${ev.pl}.`,
      en: `Rule: battery. Battery ${whose.en} low from ${fmtTime(ep.start, 'en')}${lvl(startLevel)}${raise.en}; ${close.en}.${reports.en} Order: ${clause.en}. Evidence: ${ev.en}.`,
    },
  };
}
