/**
 * Communication loss (T2.7, T4.1): a unit's expected report is missing. This is the one rule decided on
 * ARRIVAL time (`receivedAt`), because it is about the link, not about what happened at the place; arrival
 * history only grows, so late data never moves an episode's start, it only resolves and explains it.
 */
import type { Lang, RawEpisode, RuleContext, RuleResult, Segment } from './core.js';
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
      // What the unit recorded during the silence, whatever the delay (ADR 0503): every event dated after
      // the last contact and before contact resumed.
      const resumedAt = end ?? ctx.horizon;
      const during = own.filter((e) => e.time > c && e.time < resumedAt);
      // A unit recording from the start of the silence (its first record within an interval and the grace)
      // kept working: the link failed. One whose only records are the reports it sent as it came back
      // (within the network grace of the resumption) recorded nothing: it was off. Between the two, it was
      // silent for a while and then recorded without a link.
      const firstRecorded = during[0];
      const recordedThroughout = firstRecorded !== undefined && firstRecorded.time - c <= interval + graceMs;
      const recorded = recordedThroughout || during.some((e) => resumedAt - e.time > graceMs) ? during : [];
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
          recorded,
          recordedThroughout,
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
  recorded: readonly EngineEvent[],
  throughout: boolean,
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
          pl: ` Wcześniej, o ${fmtTime(power.time, 'pl')}, urządzenie zgłosiło zanik zasilania sieciowego.`,
          en: ` Earlier, at ${fmtTime(power.time, 'en')}, the unit reported mains power lost.`,
        }
      : { pl: '', en: '' };
  let res: { pl: string; en: string };
  const first = recorded[0];
  const last = recorded[recorded.length - 1];
  const what = describeRecorded(recorded);
  if (end === undefined) res = { pl: 'Brak łączności trwa.', en: 'Still silent.' };
  else if (first === undefined || last === undefined) {
    res = {
      pl: `Łączność wróciła o ${fmtTime(end, 'pl')}, po ${fmtDuration(end - lastContact)} ciszy. Urządzenie nie zapisało w tym czasie żadnego zdarzenia — było wyłączone lub bez zasilania.`,
      en: `Contact resumed at ${fmtTime(end, 'en')}, after ${fmtDuration(end - lastContact)} of silence. The unit recorded no event meanwhile — it was off or without power.`,
    };
  } else if (throughout) {
    res = {
      pl: `Łączność wróciła o ${fmtTime(end, 'pl')}, po ${fmtDuration(end - lastContact)} ciszy. Urządzenie działało: zapisało w tym czasie ${what.pl} (${period(first.time, last.time, 'pl')}), przesłanych po przywróceniu łączności — zawiodła transmisja; przesłane dane oceniono według czasu zdarzeń.`,
      en: `Contact resumed at ${fmtTime(end, 'en')}, after ${fmtDuration(end - lastContact)} of silence. The unit kept working: it recorded ${what.en} meanwhile (${period(first.time, last.time, 'en')}), uploaded once the link was back — the link failed; the uploaded data was judged in event time.`,
    };
  } else {
    res = {
      pl: `Łączność wróciła o ${fmtTime(end, 'pl')}, po ${fmtDuration(end - lastContact)} ciszy. Urządzenie nie zapisało niczego od ${fmtTime(lastContact, 'pl')} do ${fmtTime(first.time, 'pl')} — w tym czasie było wyłączone lub bez zasilania; potem, do ${fmtTime(last.time, 'pl')}, zapisało ${what.pl}, przesłanych po przywróceniu łączności — potem zawiodła transmisja.`,
      en: `Contact resumed at ${fmtTime(end, 'en')}, after ${fmtDuration(end - lastContact)} of silence. The unit recorded nothing from ${fmtTime(lastContact, 'en')} to ${fmtTime(first.time, 'en')} — it was off or without power then; it then recorded ${what.en} until ${fmtTime(last.time, 'en')}, uploaded once the link was back — the link failed after that.`,
    };
  }
  // The last event before the silence, what was recorded during it (its first and last, see evidenceText),
  // and the first event after it.
  const evidence = [...(lastBefore ? [lastBefore] : []), ...recorded, ...(firstAfter ? [firstAfter] : [])];
  return {
    rule: 'communication_loss',
    subject: unit,
    severity: 'serious',
    cause:
      end === undefined
        ? 'silent'
        : first === undefined
          ? 'unit_not_recording'
          : throughout
            ? 'link_down_unit_recording'
            : 'unit_off_then_link_down',
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
      pl: `Reguła: utrata łączności. Urządzenie ${unit} nie przesłało danych od ${fmtTime(lastContact, 'pl')}; oczekiwany raport o ${fmtTime(lastContact + interval, 'pl')}, alarm o ${fmtTime(openedAt, 'pl')}.${powerNote.pl} ${res.pl} Postanowienie: ${clause.pl}.`,
      en: `Rule: communication loss. Unit ${unit} sent nothing since ${fmtTime(lastContact, 'en')}; a report was expected at ${fmtTime(lastContact + interval, 'en')}, alarm at ${fmtTime(openedAt, 'en')}.${powerNote.en} ${res.en} Order: ${clause.en}.`,
    },
  };
}

/** "19 zdarzeń: 6 raportów okresowych, 12 pozycji, 1 inne" / "19 events: 6 periodic reports, …". */
function describeRecorded(recorded: readonly EngineEvent[]): { pl: string; en: string } {
  const n = recorded.length;
  const beats = recorded.filter((e) => e.kind === 'heartbeat').length;
  const fixes = recorded.filter((e) => e.kind === 'location').length;
  const other = n - beats - fixes;
  const partsPl: string[] = [];
  const partsEn: string[] = [];
  if (beats > 0) {
    partsPl.push(`raporty okresowe: ${beats}`);
    partsEn.push(`${beats} periodic report${beats === 1 ? '' : 's'}`);
  }
  if (fixes > 0) {
    partsPl.push(`pozycje: ${fixes}`);
    partsEn.push(`${fixes} position${fixes === 1 ? '' : 's'}`);
  }
  if (other > 0) {
    partsPl.push(`inne: ${other}`);
    partsEn.push(`${other} other`);
  }
  const detail = partsPl.length > 1;
  return {
    pl: `${n} ${n === 1 ? 'zdarzenie' : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 10 || n % 100 >= 20) ? 'zdarzenia' : 'zdarzeń'}${detail ? ` (${partsPl.join(', ')})` : ''}`,
    en: `${n} event${n === 1 ? '' : 's'}${detail ? ` (${partsEn.join(', ')})` : ''}`,
  };
}

/** "od X do Y", or "o X" when both fall in the same minute. */
function period(from: number, to: number, lang: Lang): string {
  const a = fmtTime(from, lang);
  const b = fmtTime(to, lang);
  if (a === b) return lang === 'pl' ? `o ${a}` : `at ${a}`;
  return lang === 'pl' ? `od ${a} do ${b}` : `from ${a} to ${b}`;
}
