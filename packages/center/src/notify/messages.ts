/** The words of alarm notifications (Polish first: the language of the court file; English after). */
import type { AlarmEpisode } from '@sde/domain';
import { fmtTime } from '@sde/domain';

const SEVERITY_PL: Record<AlarmEpisode['severity'], string> = {
  critical: 'KRYTYCZNY',
  serious: 'poważny',
  informational: 'informacyjny',
};

/** Subject and body of the notification of an alarm. */
export function alarmMessage(
  ep: AlarmEpisode,
  c: { caseNumber: string; alarmId: string },
  reason: 'opened' | 'escalation',
  /** The episode was already open with this lower severity (ADR 0502): say it was raised. */
  raisedFrom?: AlarmEpisode['severity'],
): { subject: string; body: string; sms: string } {
  const head =
    reason === 'escalation'
      ? `ESKALACJA (nikt nie potwierdził alarmu) / ESCALATION (nobody acknowledged the alarm)\n\n`
      : raisedFrom !== undefined
        ? `WAŻNOŚĆ PODNIESIONA z ${SEVERITY_PL[raisedFrom]} / SEVERITY RAISED from ${raisedFrom}\n\n`
        : '';
  const subject = `[SDE] ${reason === 'escalation' ? 'ESKALACJA: ' : ''}alarm ${SEVERITY_PL[ep.severity]} — ${ep.rule} — ${c.caseNumber}`;
  const body =
    `${head}Sygnatura / case: ${c.caseNumber}\nAlarm: ${c.alarmId} (${ep.rule}, ${ep.severity})\n` +
    `Od / since: ${fmtTime(ep.startedAt, 'pl')} / ${fmtTime(ep.startedAt, 'en')}${ep.late ? ' (wykryty z opóźnieniem / found late)' : ''}\n\n` +
    `${ep.explanation.pl}\n\n${ep.explanation.en}\n\nPostanowienie / order: ${ep.clause.pl}\n`;
  const sms = `SDE ${reason === 'escalation' ? 'ESKALACJA ' : ''}${c.caseNumber}: ${ep.explanation.pl}`.slice(
    0,
    300,
  );
  return { subject, body, sms };
}
