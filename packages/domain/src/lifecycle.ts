/**
 * The life of one supervision, from application to the end of the sentence (R3–R8), as a pure
 * transition function. Illegal steps are refused with a clerk-readable reason; each state lists its
 * open tasks with who is responsible and by when.
 */
import type { Deadline } from './deadlines.js';
import { decisionDeadline, installationDeadline, readinessDeadline } from './deadlines.js';
import type { DomainMessage, Result } from './messages.js';
import { fail, message, ok } from './messages.js';
import type { SentenceEnd, Term } from './sentence.js';
import { sentenceEnd } from './sentence.js';
import type { LocalDate } from './time.js';
import { formatDay, localDateOf } from './time.js';
import { fmtTime } from './engine/core.js';

/** Where a supervision is in its life. */
export type SupervisionStatus =
  | 'application_filed'
  | 'granted'
  | 'refused'
  | 'left_unexamined_technical'
  | 'readiness_reported'
  | 'installed'
  | 'activated'
  | 'in_execution'
  | 'ended_served'
  | 'revoked';

/** Polish and English names of each status, as shown to clerks. */
export const STATUS_NAMES: Readonly<Record<SupervisionStatus, { readonly pl: string; readonly en: string }>> =
  {
    application_filed: { pl: 'wniosek złożony', en: 'application filed' },
    granted: { pl: 'zezwolenie udzielone', en: 'permission granted' },
    refused: { pl: 'odmowa udzielenia zezwolenia', en: 'permission refused' },
    left_unexamined_technical: {
      pl: 'wniosek pozostawiony bez rozpoznania (warunki techniczne)',
      en: 'application left unexamined (technical conditions)',
    },
    readiness_reported: { pl: 'gotowość do instalacji zgłoszona', en: 'readiness for installation reported' },
    installed: { pl: 'urządzenia zainstalowane', en: 'devices installed' },
    activated: { pl: 'środki techniczne uruchomione', en: 'devices activated' },
    in_execution: { pl: 'kara w wykonaniu', en: 'sentence being served' },
    ended_served: { pl: 'kara wykonana', en: 'sentence served' },
    revoked: { pl: 'zezwolenie uchylone', en: 'permission revoked' },
  };

/** Why the court revoked the permission (R5). */
export type RevocationReason =
  /** The person did not report readiness within the deadline. */
  | 'readiness_deadline_missed'
  /** The person evaded installation or fitting of the transmitter. */
  | 'evaded_installation'
  /** The person broke the obligations during execution. */
  | 'violated_obligations'
  /** Another reason, described in the note. */
  | 'other';

/**
 * The order to bring the person to prison that a revocation carries (polecenie doprowadzenia do zakładu
 * karnego). Seed 001: when the person missed the readiness deadline or evaded installation, the court
 * "uchyla zezwolenie i poleca doprowadzenie skazanego do zakładu karnego oraz obciąża go kosztami
 * doprowadzenia" — the costs fall on the person in those two cases only (ADR 0604).
 */
export interface EscortOrder {
  /** When the court ordered it: the instant of the revocation. */
  readonly orderedAtUtcMs: number;
  /** True when the person bears the costs of the escort. */
  readonly costsCharged: boolean;
}

/** Revocation grounds whose escort costs the person bears (seed 001). */
const ESCORT_COSTS_CHARGED: readonly RevocationReason[] = [
  'readiness_deadline_missed',
  'evaded_installation',
];

/** Something that happened to the supervision; `by` is the id of the acting person. */
export type LifecycleEvent =
  | {
      readonly type: 'grant';
      readonly atUtcMs: number;
      readonly by: string;
      readonly announcedOrDeliveredAtUtcMs: number;
      readonly readinessDeadlineHours: number;
    }
  | { readonly type: 'refuse'; readonly atUtcMs: number; readonly by: string; readonly reason: string }
  | {
      readonly type: 'leave_unexamined_technical';
      readonly atUtcMs: number;
      readonly by: string;
      readonly reason: string;
    }
  | { readonly type: 'report_readiness'; readonly atUtcMs: number; readonly by: string }
  | {
      readonly type: 'install';
      readonly atUtcMs: number;
      readonly by: string;
      readonly deviceIds: readonly string[];
    }
  | { readonly type: 'activate'; readonly atUtcMs: number; readonly by: string; readonly protocolId: string }
  | { readonly type: 'start_supervision'; readonly atUtcMs: number; readonly by: string }
  | { readonly type: 'end_served'; readonly atUtcMs: number; readonly by: string }
  /** The removal protocol took back the last assigned device (after the end or a revocation). */
  | { readonly type: 'remove_devices'; readonly atUtcMs: number; readonly by: string }
  | {
      readonly type: 'revoke';
      readonly atUtcMs: number;
      readonly by: string;
      readonly reason: RevocationReason;
      readonly note: string;
    };

/** The supervision's state: its status, the facts and deadlines gathered so far, and its history. */
export interface SupervisionLifecycle {
  /** Current status. */
  readonly status: SupervisionStatus;
  /** The term to serve (from the judgment, after any credit is applied at activation). */
  readonly term: Term;
  /** Days credited against the sentence (e.g. pre-trial detention). */
  readonly creditedDays: number;
  /** Day the application reached the court. */
  readonly applicationReceivedOn: LocalDate;
  /** R3: when the court's 30 days run out. */
  readonly decisionDeadline: Deadline;
  /** R4: when the readiness report is due (after a grant). */
  readonly readinessDeadline?: Deadline;
  /** When readiness was reported. */
  readonly readinessReportedAtUtcMs?: number;
  /** R5: when installation is due (after the readiness report). */
  readonly installationDeadline?: Deadline;
  /** Devices installed. */
  readonly deviceIds?: readonly string[];
  /** When devices were installed. */
  readonly installedAtUtcMs?: number;
  /** When the devices were activated (R6). */
  readonly activatedAtUtcMs?: number;
  /** Id of the activation protocol (protokół uruchomienia). */
  readonly activationProtocolId?: string;
  /** When the sentence ends (R8), computed at activation. */
  readonly sentenceEnd?: SentenceEnd;
  /** Why the permission was revoked, and the escort order that goes with it (ADR 0604). */
  readonly revocation?: {
    readonly reason: RevocationReason;
    readonly note: string;
    /** Absent in revocations stored before the escort order was modelled. */
    readonly escortOrder?: EscortOrder;
  };
  /** When the removal protocol took back the last device (after the end or a revocation). */
  readonly devicesRemovedAtUtcMs?: number;
  /** Every accepted event, oldest first. */
  readonly history: readonly LifecycleEvent[];
}

/** Who does a task. */
export const RESPONSIBLES = [
  'penitentiary_judge',
  'probation_officer',
  'installer',
  'operator',
  'monitored_person',
] as const;
export type Responsible = (typeof RESPONSIBLES)[number];

/**
 * Every task `openTasks` can open, by its stable code. Terminals label each code in both languages (the
 * console's test fails for a code without labels), so a new task starts here.
 */
export const TASK_CODES = [
  'check_technical_conditions',
  'decide_application',
  'report_readiness',
  'await_readiness_report',
  'revoke_for_missed_readiness',
  'install_devices',
  'report_missed_installation',
  'activate_devices',
  'notify_court_and_officer',
  'contact_person',
  'supervise_until_end',
  'end_sentence',
  'remove_devices',
] as const;
export type TaskCode = (typeof TASK_CODES)[number];

/**
 * The deadline states of an open task as task lists show them: past its deadline (`overdue`), due within
 * the center's warning window (`due_soon`: 2 hours, derived by the center when a list is read, see
 * docs/deadlines.md), due later, or with no deadline set by law — to be done without delay.
 */
export const TASK_DEADLINE_STATES = ['overdue', 'due_soon', 'due_later', 'without_delay'] as const;
export type TaskDeadlineState = (typeof TASK_DEADLINE_STATES)[number];

/** Something someone must do now, with its deadline if the law sets one. */
export interface LifecycleTask {
  /** Stable identifier of the task. */
  readonly code: TaskCode;
  /** Who must do it. */
  readonly responsible: Responsible;
  /** When it is due, if a deadline applies (otherwise "without delay"). */
  readonly dueUtcMs?: number;
  /** True when the deadline has passed at the `now` given. */
  readonly overdue: boolean;
  /** Description in Polish. */
  readonly pl: string;
  /** Description in English. */
  readonly en: string;
}

/** Opens a supervision when an application is received; computes the R3 decision deadline. */
export function openSupervision(input: {
  applicationReceivedOn: LocalDate;
  term: Term;
  creditedDays?: number;
}): Result<SupervisionLifecycle> {
  const d = decisionDeadline(input.applicationReceivedOn);
  if (!d.ok) return d;
  return ok({
    status: 'application_filed',
    term: input.term,
    creditedDays: input.creditedDays ?? 0,
    applicationReceivedOn: input.applicationReceivedOn,
    decisionDeadline: d.value,
    history: [],
  });
}

/** Which event types are allowed in each status. */
const ALLOWED: Readonly<Record<SupervisionStatus, readonly LifecycleEvent['type'][]>> = {
  application_filed: ['grant', 'refuse', 'leave_unexamined_technical'],
  granted: ['report_readiness', 'revoke'],
  readiness_reported: ['install', 'revoke'],
  installed: ['activate', 'revoke'],
  activated: ['start_supervision', 'end_served', 'revoke', 'remove_devices'],
  in_execution: ['end_served', 'revoke', 'remove_devices'],
  refused: [],
  left_unexamined_technical: [],
  ended_served: ['remove_devices'],
  revoked: ['remove_devices'],
};

const EVENT_NAMES: Readonly<Record<LifecycleEvent['type'], { pl: string; en: string }>> = {
  grant: { pl: 'udzielenie zezwolenia', en: 'granting permission' },
  refuse: { pl: 'odmowa', en: 'refusal' },
  leave_unexamined_technical: {
    pl: 'pozostawienie wniosku bez rozpoznania',
    en: 'leaving the application unexamined',
  },
  report_readiness: { pl: 'zgłoszenie gotowości', en: 'the readiness report' },
  install: { pl: 'instalacja urządzeń', en: 'installation' },
  activate: { pl: 'uruchomienie środków technicznych', en: 'activation' },
  start_supervision: {
    pl: 'nawiązanie kontaktu przez kuratora',
    en: 'the probation officer’s first contact',
  },
  end_served: { pl: 'zakończenie kary', en: 'ending the sentence' },
  remove_devices: { pl: 'zdjęcie urządzeń', en: 'removing the devices' },
  revoke: { pl: 'uchylenie zezwolenia', en: 'revocation' },
};

/** Specific explanations for the steps clerks most often try too early. */
function notAllowed(state: SupervisionLifecycle, event: LifecycleEvent): DomainMessage {
  const s = STATUS_NAMES[state.status];
  const e = EVENT_NAMES[event.type];
  if (event.type === 'activate' && (state.status === 'granted' || state.status === 'readiness_reported')) {
    return message(
      'activation_before_installation',
      'Nie można uruchomić środków technicznych przed ich zainstalowaniem.',
      'Devices cannot be activated before they are installed.',
    );
  }
  if (event.type === 'install' && state.status === 'granted') {
    return message(
      'installation_before_readiness',
      'Instalacja następuje po zgłoszeniu gotowości przez skazanego.',
      'Installation follows the person’s readiness report.',
    );
  }
  if (
    event.type === 'end_served' &&
    (state.status === 'installed' || state.status === 'granted' || state.status === 'readiness_reported')
  ) {
    return message(
      'end_before_activation',
      'Kara nie rozpoczęła się — środki techniczne nie zostały uruchomione.',
      'The sentence has not started — the devices were never activated.',
    );
  }
  return message(
    'transition_not_allowed',
    `Czynność „${e.pl}” jest niedozwolona, gdy stan sprawy to „${s.pl}”.`,
    `${e.en[0]?.toUpperCase()}${e.en.slice(1)} is not allowed when the case is "${s.en}".`,
  );
}

/** Applies one event; refuses it with a reason if it is not allowed now. */
export function transition(state: SupervisionLifecycle, event: LifecycleEvent): Result<SupervisionLifecycle> {
  if (!ALLOWED[state.status].includes(event.type)) return fail([notAllowed(state, event)]);
  const previous = state.history[state.history.length - 1];
  if (!Number.isFinite(event.atUtcMs) || (previous !== undefined && event.atUtcMs < previous.atUtcMs)) {
    return fail([
      message(
        'event_out_of_order',
        'Data czynności nie może być wcześniejsza niż data poprzedniej czynności w sprawie.',
        'An event cannot be dated before the previous event in the case.',
      ),
    ]);
  }
  if (event.by.trim() === '') {
    return fail([
      message(
        'actor_missing',
        'Należy wskazać osobę wykonującą czynność.',
        'The person performing the step must be named.',
      ),
    ]);
  }
  const history = [...state.history, event];
  switch (event.type) {
    case 'grant': {
      if (event.announcedOrDeliveredAtUtcMs < event.atUtcMs) {
        return fail([
          message(
            'announcement_before_decision',
            'Ogłoszenie lub doręczenie nie może nastąpić przed wydaniem postanowienia.',
            'Announcement or delivery cannot precede the decision.',
          ),
        ]);
      }
      const d = readinessDeadline(event.announcedOrDeliveredAtUtcMs, event.readinessDeadlineHours);
      if (!d.ok) return d;
      return ok({ ...state, status: 'granted', readinessDeadline: d.value, history });
    }
    case 'refuse':
    case 'leave_unexamined_technical':
      if (event.reason.trim() === '') {
        return fail([
          message(
            'decision_reason_missing',
            'Postanowienie musi zawierać uzasadnienie.',
            'The decision must state its reasons.',
          ),
        ]);
      }
      return ok({
        ...state,
        status: event.type === 'refuse' ? 'refused' : 'left_unexamined_technical',
        history,
      });
    case 'report_readiness': {
      const due = state.readinessDeadline;
      if (due !== undefined && event.atUtcMs >= due.dueUtcMs) {
        return fail([
          message(
            'readiness_deadline_missed',
            `Termin zgłoszenia gotowości upłynął ${fmtTime(due.dueUtcMs, 'pl')}. Zgłoszenie jest spóźnione — sąd uchyla zezwolenie (R5).`,
            `The readiness deadline expired at ${fmtTime(due.dueUtcMs, 'en')}. The report is late — the court revokes the permission (R5).`,
          ),
        ]);
      }
      const d = installationDeadline(event.atUtcMs);
      if (!d.ok) return d;
      return ok({
        ...state,
        status: 'readiness_reported',
        readinessReportedAtUtcMs: event.atUtcMs,
        installationDeadline: d.value,
        history,
      });
    }
    case 'install':
      if (event.deviceIds.length === 0) {
        return fail([
          message(
            'installation_without_devices',
            'Protokół instalacji musi wskazywać zainstalowane urządzenia.',
            'The installation must list the installed devices.',
          ),
        ]);
      }
      return ok({
        ...state,
        status: 'installed',
        deviceIds: event.deviceIds,
        installedAtUtcMs: event.atUtcMs,
        history,
      });
    case 'activate': {
      if (event.protocolId.trim() === '') {
        return fail([
          message(
            'activation_protocol_missing',
            'Z uruchomienia środków technicznych sporządza się protokół — podaj jego numer.',
            'An activation protocol is required — give its number.',
          ),
        ]);
      }
      const end = sentenceEnd({
        activationDate: localDateOf(event.atUtcMs),
        term: state.term,
        creditedDays: state.creditedDays,
      });
      if (!end.ok) return end;
      return ok({
        ...state,
        status: 'activated',
        activatedAtUtcMs: event.atUtcMs,
        activationProtocolId: event.protocolId,
        sentenceEnd: end.value,
        history,
      });
    }
    case 'start_supervision':
      return ok({ ...state, status: 'in_execution', history });
    case 'end_served': {
      const end = state.sentenceEnd;
      if (end !== undefined && event.atUtcMs < end.endsAtUtcMs) {
        return fail([
          message(
            'sentence_not_yet_served',
            `Kara kończy się z końcem dnia ${formatDay(end.lastDay, 'pl')}; nie można jej zakończyć wcześniej.`,
            `The sentence ends at the end of ${formatDay(end.lastDay, 'en')}; it cannot be ended earlier.`,
          ),
        ]);
      }
      return ok({ ...state, status: 'ended_served', history });
    }
    case 'revoke': {
      if (event.note.trim() === '') {
        return fail([
          message(
            'revocation_note_missing',
            'Uchylenie zezwolenia wymaga opisu okoliczności.',
            'Revocation needs a description of the circumstances.',
          ),
        ]);
      }
      if (event.reason === 'readiness_deadline_missed') {
        const due = state.readinessDeadline;
        if (state.status !== 'granted' || due === undefined || event.atUtcMs < due.dueUtcMs) {
          return fail([
            message(
              'readiness_deadline_not_missed',
              'Termin zgłoszenia gotowości jeszcze nie upłynął albo gotowość została zgłoszona — nie jest to podstawa uchylenia.',
              'The readiness deadline has not passed or readiness was reported — this is not a ground for revocation.',
            ),
          ]);
        }
      }
      if (
        event.reason === 'evaded_installation' &&
        !['granted', 'readiness_reported', 'installed'].includes(state.status)
      ) {
        return fail([
          message(
            'revocation_reason_not_applicable',
            'Uchylanie się od instalacji jest możliwe tylko przed uruchomieniem urządzeń.',
            'Evading installation is only possible before the devices are activated.',
          ),
        ]);
      }
      if (
        event.reason === 'violated_obligations' &&
        state.status !== 'activated' &&
        state.status !== 'in_execution'
      ) {
        return fail([
          message(
            'revocation_reason_not_applicable',
            'Naruszenie obowiązków dotyczy kary już wykonywanej.',
            'Breaking the obligations applies only once the sentence is being served.',
          ),
        ]);
      }
      return ok({
        ...state,
        status: 'revoked',
        revocation: {
          reason: event.reason,
          note: event.note,
          escortOrder: {
            orderedAtUtcMs: event.atUtcMs,
            costsCharged: ESCORT_COSTS_CHARGED.includes(event.reason),
          },
        },
        history,
      });
    }
    case 'remove_devices': {
      if (state.installedAtUtcMs === undefined || state.devicesRemovedAtUtcMs !== undefined) {
        return fail([
          message(
            'no_devices_to_remove',
            'W tym dozorze nie ma zainstalowanych urządzeń do zdjęcia.',
            'This supervision has no installed devices to remove.',
          ),
        ]);
      }
      const end = state.sentenceEnd;
      if (
        (state.status === 'activated' || state.status === 'in_execution') &&
        (end === undefined || event.atUtcMs < end.endsAtUtcMs)
      ) {
        return fail([
          message(
            'removal_before_end',
            'Urządzenia zdejmuje się po zakończeniu kary albo po uchyleniu zezwolenia.',
            'Devices are removed after the sentence ends or the permission is revoked.',
          ),
        ]);
      }
      return ok({ ...state, devicesRemovedAtUtcMs: event.atUtcMs, history });
    }
  }
}

/** A day in a task's words; `?` for a deadline not set yet. */
const day = (d: LocalDate | undefined, lang: 'pl' | 'en') => (d === undefined ? '?' : formatDay(d, lang));

/** True once the sentence's last day is over (R8: served at the end of the period under monitoring). */
function sentenceOver(state: SupervisionLifecycle, nowUtcMs: number): boolean {
  return state.sentenceEnd !== undefined && nowUtcMs >= state.sentenceEnd.endsAtUtcMs;
}

/** The sentence's last day passed: the court records it served (the center stops monitoring). */
function endSentenceTask(state: SupervisionLifecycle, nowUtcMs: number): LifecycleTask {
  const last = state.sentenceEnd?.lastDay;
  return task(
    'end_sentence',
    'penitentiary_judge',
    `Kara wykonana z końcem dnia ${day(last, 'pl')} — odnotować zakończenie kary.`,
    `The sentence was served at the end of ${day(last, 'en')} — record the end of the sentence.`,
    nowUtcMs,
  );
}

/** After the end or a revocation, the devices still fitted must be taken back (removal protocol). */
function removalTasks(state: SupervisionLifecycle, nowUtcMs: number): LifecycleTask[] {
  if (state.installedAtUtcMs === undefined || state.devicesRemovedAtUtcMs !== undefined) return [];
  return [
    task(
      'remove_devices',
      'installer',
      state.status === 'revoked'
        ? 'Zezwolenie uchylone — niezwłocznie zdjąć nadajnik i odebrać urządzenia (protokół zdjęcia).'
        : 'Kara wykonana — niezwłocznie zdjąć nadajnik i odebrać urządzenia (protokół zdjęcia).',
      state.status === 'revoked'
        ? 'Permission revoked — remove the transmitter and take back the devices without delay (removal protocol).'
        : 'Sentence served — remove the transmitter and take back the devices without delay (removal protocol).',
      nowUtcMs,
    ),
  ];
}

function task(
  code: TaskCode,
  responsible: Responsible,
  pl: string,
  en: string,
  now: number,
  dueUtcMs?: number,
): LifecycleTask {
  return dueUtcMs === undefined
    ? { code, responsible, overdue: false, pl, en }
    : { code, responsible, dueUtcMs, overdue: now >= dueUtcMs, pl, en };
}

/** The tasks open in the current state, with who is responsible and when each is due, as of `nowUtcMs`. */
export function openTasks(state: SupervisionLifecycle, nowUtcMs: number): LifecycleTask[] {
  switch (state.status) {
    case 'application_filed': {
      const due = state.decisionDeadline.dueUtcMs;
      return [
        task(
          'check_technical_conditions',
          'installer',
          'Zbadać warunki techniczne w miejscu pobytu skazanego (kontakt telefoniczny z wniosku).',
          'Survey the technical conditions at the address (phone contact from the application).',
          nowUtcMs,
          due,
        ),
        task(
          'decide_application',
          'penitentiary_judge',
          `Rozpoznać wniosek w terminie 30 dni (do ${formatDay(state.decisionDeadline.lastDay, 'pl')} włącznie).`,
          `Decide the application within 30 days (by ${formatDay(state.decisionDeadline.lastDay, 'en')} inclusive).`,
          nowUtcMs,
          due,
        ),
      ];
    }
    case 'granted': {
      const due = state.readinessDeadline?.dueUtcMs;
      const tasks = [
        task(
          'report_readiness',
          'monitored_person',
          'Zgłosić podmiotowi prowadzącemu centralę gotowość do instalacji.',
          'Report readiness for installation to the center operator.',
          nowUtcMs,
          due,
        ),
        task(
          'await_readiness_report',
          'operator',
          'Przyjąć zgłoszenie gotowości i umówić instalację.',
          'Take the readiness report and book the installation.',
          nowUtcMs,
          due,
        ),
      ];
      if (due !== undefined && nowUtcMs >= due) {
        tasks.push(
          task(
            'revoke_for_missed_readiness',
            'penitentiary_judge',
            'Skazany nie zgłosił gotowości w terminie — uchylić zezwolenie i polecić doprowadzenie do zakładu karnego.',
            'The person missed the readiness deadline — revoke the permission and order them brought to prison.',
            nowUtcMs,
          ),
        );
      }
      return tasks;
    }
    case 'readiness_reported': {
      const due = state.installationDeadline?.dueUtcMs;
      const tasks = [
        task(
          'install_devices',
          'installer',
          `Zainstalować urządzenia i założyć nadajnik w ciągu 3 dni (do ${day(state.installationDeadline?.lastDay, 'pl')} włącznie).`,
          `Install the devices and fit the transmitter within 3 days (by ${day(state.installationDeadline?.lastDay, 'en')} inclusive).`,
          nowUtcMs,
          due,
        ),
      ];
      if (due !== undefined && nowUtcMs >= due) {
        // R5 binds the center's operator; a miss does not end the permission, but the court and the
        // probation officer must learn why the sentence has not started.
        tasks.push(
          task(
            'report_missed_installation',
            'operator',
            'Termin instalacji (3 dni od zgłoszenia gotowości) upłynął — zainstalować niezwłocznie i zawiadomić sąd penitencjarny i kuratora o przyczynie opóźnienia.',
            'The installation deadline (3 days from the readiness report) has passed — install without delay and tell the penitentiary court and the probation officer why it is late.',
            nowUtcMs,
          ),
        );
      }
      return tasks;
    }
    case 'installed':
      return [
        task(
          'activate_devices',
          'installer',
          'Niezwłocznie uruchomić środki techniczne i sporządzić protokół uruchomienia.',
          'Activate the devices without delay and write the activation protocol.',
          nowUtcMs,
        ),
      ];
    case 'activated':
      if (sentenceOver(state, nowUtcMs))
        return [endSentenceTask(state, nowUtcMs), ...removalTasks(state, nowUtcMs)];
      return [
        task(
          'notify_court_and_officer',
          'operator',
          'Zawiadomić sąd penitencjarny i sądowego kuratora zawodowego o uruchomieniu.',
          'Notify the penitentiary court and the probation officer of the activation.',
          nowUtcMs,
        ),
        task(
          'contact_person',
          'probation_officer',
          'Niezwłocznie nawiązać kontakt ze skazanym i pouczyć go o obowiązkach i uprawnieniach.',
          'Contact the person without delay and explain their duties and rights.',
          nowUtcMs,
        ),
      ];
    case 'in_execution':
      if (sentenceOver(state, nowUtcMs))
        return [endSentenceTask(state, nowUtcMs), ...removalTasks(state, nowUtcMs)];
      return [
        task(
          'supervise_until_end',
          'probation_officer',
          `Kontrolować wykonywanie kary do ${day(state.sentenceEnd?.lastDay, 'pl')} włącznie.`,
          `Supervise execution until ${day(state.sentenceEnd?.lastDay, 'en')} inclusive.`,
          nowUtcMs,
          state.sentenceEnd?.endsAtUtcMs,
        ),
      ];
    case 'ended_served':
    case 'revoked':
      return removalTasks(state, nowUtcMs);
    case 'refused':
    case 'left_unexamined_technical':
      return [];
  }
}
