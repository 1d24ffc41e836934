/**
 * Equipment rules (T1, T2.3, T3, B4): strap and case tamper, unit moved, batteries, mains power, faults.
 * Tamper, move and fault episodes are closed by an operator (no device event says "repaired"); battery and
 * power episodes resolve when the unit reports recovery. Repeats within `coalesceMs` join one episode.
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
  const crit = s.settings.equipment.batteryCriticalPercent;
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
    case 'tx_battery_low': {
      if (!aboutTransmitter(s, e)) return [];
      const pct = isNum(e.body.battery) ? ` (${e.body.battery} %)` : '';
      const out: PointSpec[] = [
        {
          rule: 'tx_battery_low',
          severity: 'informational',
          cause: 'transmitter_battery_low',
          subject: tx,
          what: {
            pl: `niski poziom baterii nadajnika ${tx}${pct}`,
            en: `transmitter ${tx} battery low${pct}`,
          },
          clause: equip('sprawność nadajnika (T1)', 'the transmitter must work (T1)'),
        },
      ];
      if (isNum(e.body.battery) && e.body.battery <= crit) {
        out.push({
          rule: 'battery_critical',
          severity: 'serious',
          cause: 'transmitter_battery_critical',
          subject: tx,
          what: {
            pl: `krytyczny poziom baterii nadajnika ${tx}${pct}`,
            en: `transmitter ${tx} battery critical${pct}`,
          },
          clause: equip('sprawność nadajnika (T1)', 'the transmitter must work (T1)'),
        });
      }
      return out;
    }
    case 'fault': {
      if (!fromAssignedUnit(s, e)) return [];
      const code = e.body.code ?? 'unknown';
      const detail = e.body.detail === undefined ? '' : ` — ${e.body.detail}`;
      return [
        {
          rule: 'device_fault',
          severity: 'serious',
          cause: code,
          subject: `${e.deviceId}:${code}`,
          what: {
            pl: `usterka urządzenia ${e.deviceId}: ${code}${detail}`,
            en: `fault of unit ${e.deviceId}: ${code}${detail}`,
          },
          clause: equip('sprawność urządzeń monitorujących', 'the monitoring devices must work'),
        },
      ];
    }
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
          pl: `Reguła: stan urządzeń. ${capitalise(spec.what.pl)} o ${fmtTime(first.time)}${repeats.pl}; zamyka operator po wyjaśnieniu. Postanowienie: ${spec.clause.pl}. Dowody: ${ev}.`,
          en: `Rule: equipment. ${capitalise(spec.what.en)} at ${fmtTime(first.time)}${repeats.en}; an operator closes it once explained. Order: ${spec.clause.en}. Evidence: ${ev}.`,
        },
      });
    }
  }
  episodes.push(...conditionRules(ctx));
  return { episodes, due: [] };
}

/** Unit battery low / critical and mains power: open on the report, resolve on recovery. */
function conditionRules(ctx: RuleContext): RawEpisode[] {
  const episodes: RawEpisode[] = [];
  const units = new Set<string>();
  for (const s of ctx.segments) {
    const d = s.version.devices;
    for (const u of [d.homeUnit, d.portableUnit, d.protectedUnit]) if (u) units.add(u.deviceId);
  }
  for (const unit of [...units].sort()) {
    const evs = ctx.events.filter((e) => {
      if (e.deviceId !== unit) return false;
      const s = segmentAt(ctx.segments, e.time);
      return s !== undefined && fromAssignedUnit(s, e);
    });
    const settingsAt = (t: number) =>
      (segmentAt(ctx.segments, t) ?? (ctx.segments[0] as Segment)).settings.equipment;
    const recovered = (e: EngineEvent): boolean =>
      e.kind === 'heartbeat' &&
      (e.body.power === 'mains' ||
        (isNum(e.body.battery) && e.body.battery >= settingsAt(e.time).batteryRecoveredPercent));
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
      {
        rule: 'unit_battery_low',
        severity: 'informational',
        on: (e) => e.kind === 'unit_battery_low',
        off: recovered,
        what: { pl: `niski poziom baterii urządzenia ${unit}`, en: `unit ${unit} battery low` },
        end: { pl: 'bateria naładowana lub zasilanie sieciowe', en: 'battery recharged or on mains' },
        clause: { pl: 'sprawność urządzenia (T3)', en: 'the unit must work (T3)' },
      },
      {
        rule: 'battery_critical',
        severity: 'serious',
        on: (e) => {
          const crit = settingsAt(e.time).batteryCriticalPercent;
          return (
            (e.kind === 'unit_battery_low' && isNum(e.body.battery) && e.body.battery <= crit) ||
            (e.kind === 'heartbeat' &&
              e.body.power === 'battery' &&
              isNum(e.body.battery) &&
              e.body.battery <= crit)
          );
        },
        off: recovered,
        what: { pl: `krytyczny poziom baterii urządzenia ${unit}`, en: `unit ${unit} battery critical` },
        end: { pl: 'bateria naładowana lub zasilanie sieciowe', en: 'battery recharged or on mains' },
        clause: { pl: 'sprawność urządzenia (T3)', en: 'the unit must work (T3)' },
      },
    ];
    for (const spec of specs) {
      const transitions = evs
        .filter((e) => spec.on(e) || spec.off(e))
        .map((e) => ({ event: e, on: spec.on(e) && !spec.off(e) }));
      for (const span of transitionSpans(transitions, () => 0)) {
        if (span.start >= ctx.horizon) continue;
        const end = span.end !== undefined && span.end <= ctx.horizon ? span.end : undefined;
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
            pl: `Reguła: stan urządzeń. ${capitalise(spec.what.pl)} od ${fmtTime(span.start)}; ${end === undefined ? 'trwa' : `${spec.end.pl} o ${fmtTime(end)}`}. Postanowienie: ${clause.pl}. Dowody: ${ev}.`,
            en: `Rule: equipment. ${capitalise(spec.what.en)} from ${fmtTime(span.start)}; ${end === undefined ? 'ongoing' : `${spec.end.en} at ${fmtTime(end)}`}. Order: ${clause.en}. Evidence: ${ev}.`,
          },
        });
      }
    }
  }
  return episodes;
}
