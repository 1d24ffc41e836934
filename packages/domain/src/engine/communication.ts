/**
 * Communication loss (T2.7, T4.1): a unit's expected report is missing. This is the one rule decided on
 * ARRIVAL time (`receivedAt`), because it is about the link, not about what happened at the place; arrival
 * history only grows, so late data never moves an episode's start, it only resolves and explains it.
 */
import type { RawEpisode, RuleContext, RuleResult, Segment } from './core.js';
import { fmtDuration, fmtTime, segmentAt } from './core.js';
import type { EngineEvent } from './types.js';

interface Stretch {
  readonly unit: string;
  readonly from: number;
  readonly to: number;
}

function unitStretches(segments: readonly Segment[]): Stretch[] {
  const out: Stretch[] = [];
  const open = new Map<string, { from: number; to: number }>();
  for (const s of segments) {
    const d = s.version.devices;
    const ids = new Set(
      [d.homeUnit, d.portableUnit, d.protectedUnit].flatMap((u) => (u ? [u.deviceId] : [])),
    );
    for (const [id, st] of open) {
      if (!ids.has(id) || st.to !== s.from) {
        out.push({ unit: id, ...st });
        open.delete(id);
      }
    }
    for (const id of ids) {
      const st = open.get(id);
      if (st !== undefined && st.to === s.from) st.to = s.to;
      else open.set(id, { from: s.from, to: s.to });
    }
  }
  for (const [id, st] of open) out.push({ unit: id, ...st });
  return out.sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : a.from - b.from));
}

function intervalOf(s: Segment | undefined, unit: string): number | undefined {
  if (s === undefined) return undefined;
  const d = s.version.devices;
  return [d.homeUnit, d.portableUnit, d.protectedUnit].find((u) => u?.deviceId === unit)?.reportIntervalMs;
}

/** Communication-loss rule, per assigned unit. */
export function communicationRule(ctx: RuleContext): RuleResult {
  const episodes: RawEpisode[] = [];
  const due: number[] = [];
  for (const st of unitStretches(ctx.segments)) {
    const own = ctx.events.filter((e) => e.deviceId === st.unit);
    const byArrival = new Map<number, EngineEvent[]>();
    for (const e of own) {
      if (e.receivedAt < st.from || e.receivedAt >= st.to) continue;
      const list = byArrival.get(e.receivedAt) ?? [];
      list.push(e);
      byArrival.set(e.receivedAt, list);
    }
    const contacts = [...byArrival.keys()].sort((a, b) => a - b);
    // Counted from the unit's first contact in the assignment: a silence before it dates nothing (a
    // supervision activated in the past, a unit not yet installed); a unit never heard from is silent
    // since the assignment began (ADR 0501).
    const marks = contacts.length > 0 ? contacts : [st.from];
    for (let i = 0; i < marks.length; i++) {
      const c = marks[i] as number;
      const next = marks[i + 1];
      const seg = segmentAt(ctx.segments, c) ?? segmentAt(ctx.segments, st.from);
      const interval = intervalOf(seg, st.unit);
      if (seg === undefined || interval === undefined || !(interval > 0)) continue;
      const { missedReports, graceMs } = seg.settings.communication;
      const openedAt = c + Math.max(1, missedReports) * interval + graceMs;
      if (openedAt >= st.to) continue;
      const endRaw = next ?? (st.to <= ctx.horizon ? st.to : undefined);
      if (endRaw !== undefined && endRaw <= openedAt) continue;
      if (openedAt > ctx.horizon) {
        due.push(openedAt);
        continue;
      }
      const end = endRaw !== undefined && endRaw <= ctx.horizon ? endRaw : undefined;
      const before = byArrival.get(c) ?? [];
      const after = next === undefined ? [] : (byArrival.get(next) ?? []);
      const lastBefore = before.sort((a, b) => a.seq - b.seq)[before.length - 1];
      const firstAfter = after.sort((a, b) => a.seq - b.seq)[0];
      // Recorded during the silence and delivered late: the unit worked, the link did not.
      const buffered = own.filter(
        (e) =>
          e.time > c && e.time < (end ?? ctx.horizon) && e.receivedAt - e.time > seg.settings.lateThresholdMs,
      );
      const powerLost = [...own]
        .reverse()
        .find(
          (e) => (e.kind === 'unit_power_lost' || e.kind === 'unit_power_restored') && e.time <= c + interval,
        );
      const openSeg = segmentAt(ctx.segments, openedAt) ?? seg;
      episodes.push(
        commEpisode(
          st.unit,
          interval,
          c,
          openedAt,
          end,
          lastBefore,
          firstAfter,
          buffered,
          powerLost,
          openSeg,
        ),
      );
    }
  }
  return { episodes, due };
}

function commEpisode(
  unit: string,
  interval: number,
  lastContact: number,
  openedAt: number,
  end: number | undefined,
  lastBefore: EngineEvent | undefined,
  firstAfter: EngineEvent | undefined,
  buffered: readonly EngineEvent[],
  power: EngineEvent | undefined,
  segment: Segment,
): RawEpisode {
  const clause = {
    pl: `${segment.version.orderRef}: urządzenie ${unit} przesyła dane na bieżąco, raport co ${fmtDuration(interval)} (T2.7)`,
    en: `${segment.version.orderRef}: unit ${unit} reports in real time, every ${fmtDuration(interval)} (T2.7)`,
  };
  const powerNote =
    power?.kind === 'unit_power_lost'
      ? {
          pl: ` Wcześniej, o ${fmtTime(power.time)}, urządzenie zgłosiło zanik zasilania sieciowego.`,
          en: ` Earlier, at ${fmtTime(power.time)}, the unit reported mains power lost.`,
        }
      : { pl: '', en: '' };
  let res: { pl: string; en: string };
  if (end === undefined) res = { pl: 'Brak łączności trwa.', en: 'Still silent.' };
  else if (buffered.length > 0) {
    const first = buffered[0] as EngineEvent;
    const last = buffered[buffered.length - 1] as EngineEvent;
    res = {
      pl: `Łączność wróciła o ${fmtTime(end)}. Urządzenie działało: zapisało w tym czasie ${buffered.length} zdarzeń (od ${fmtTime(first.time)} do ${fmtTime(last.time)}), przesłanych po przywróceniu łączności — zawiodła transmisja; przesłane dane oceniono według czasu zdarzeń.`,
      en: `Contact resumed at ${fmtTime(end)}. The unit kept working: it recorded ${buffered.length} events meanwhile (from ${fmtTime(first.time)} to ${fmtTime(last.time)}), uploaded once the link was back — the link failed; the uploaded data was judged in event time.`,
    };
  } else {
    res = {
      pl: `Łączność wróciła o ${fmtTime(end)}. Urządzenie nie zapisało w tym czasie żadnego zdarzenia — było wyłączone lub bez zasilania.`,
      en: `Contact resumed at ${fmtTime(end)}. The unit recorded no event meanwhile — it was off or without power.`,
    };
  }
  const evidence = [...(lastBefore ? [lastBefore] : []), ...(firstAfter ? [firstAfter] : [])];
  return {
    rule: 'communication_loss',
    subject: unit,
    severity: 'serious',
    cause:
      end === undefined ? 'silent' : buffered.length > 0 ? 'link_down_unit_recording' : 'unit_not_recording',
    startedAt: lastContact + interval,
    openedAt,
    ...(end === undefined ? {} : { resolvedAt: end }),
    endsBy: 'condition',
    evidence,
    decisive: [],
    gapDevices: [],
    segment,
    clause,
    explanation: {
      pl: `Reguła: utrata łączności. Urządzenie ${unit} nie przesłało danych od ${fmtTime(lastContact)}; oczekiwany raport o ${fmtTime(lastContact + interval)}, alarm o ${fmtTime(openedAt)}.${powerNote.pl} ${res.pl} Postanowienie: ${clause.pl}.`,
      en: `Rule: communication loss. Unit ${unit} sent nothing since ${fmtTime(lastContact)}; a report was expected at ${fmtTime(lastContact + interval)}, alarm at ${fmtTime(openedAt)}.${powerNote.en} ${res.en} Order: ${clause.en}.`,
    },
  };
}
