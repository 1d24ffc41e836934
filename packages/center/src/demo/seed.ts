/**
 * The demo data `npm start` shows: two regions with their courts, a user for every role, and cases in
 * every state of the lifecycle — stationary schedules (incl. a night shift), exclusion zones and a
 * proximity order — with the demo fleet's devices assigned to the supervisions that have them installed.
 * The supervisions under monitoring have their devices installed when the seed runs, just before the fleet
 * starts reporting, as real units report from their installation on (ADR 0302): a center that has never
 * heard from a unit "installed weeks ago" would rightly raise communication loss for all of them.
 * Idempotent: a case whose number exists is left as it is. Demo passwords are fixed and printed.
 */
import type { AwayWindow } from '@sde/domain';
import type { Actor, UserRole } from '../auth/actor.js';
import { createCaseRepository } from '../cases/case.repository.js';
import { createCaseService } from '../cases/case.service.js';
import { createSupervisionService, type OrderContent } from '../cases/supervision.service.js';
import type { Center } from '../center.js';

/** A demo user and the password to sign in with. */
export interface DemoUser {
  login: string;
  password: string;
  role: UserRole;
  displayName: string;
}

/** What the seed created or found. */
export interface DemoSeed {
  users: DemoUser[];
  /** Cases created now (0 on a second run). */
  casesCreated: number;
  /** Supervision id per demo case number. */
  supervisions: Record<string, string>;
  /** The transmitter each installed unit hears (unit id → transmitter id), for the simulated fleet. */
  transmitterOf: Record<string, string>;
  /** The units (not transmitters) serving each supervision now, by case number. */
  unitsOf: Record<string, string[]>;
  /**
   * The demo's choreography for the simulated fleet (its `script`): the strap of one transmitter in
   * execution is cut 20 s after the fleet starts, so a new user sees a critical alarm arrive within the
   * first minute; the fleet's own behaviour raises the rest at random. Empty for a fleet too small for it.
   */
  fleetScript: DemoScriptedEvent[];
}

/** An event the demo fleet records on one unit `afterSec` seconds after it starts (the simulator's `script`). */
export interface DemoScriptedEvent {
  afterSec: number;
  deviceId: string;
  body: { kind: 'tx_strap_tamper'; tx: string };
}

/** The case whose strap the demo cuts, and when after the fleet starts. */
const SCRIPTED_TAMPER = { caseNumber: 'II K 101/24', afterSec: 20 };

const REGIONS = [
  { id: 'PL-MZ', name: 'mazowiecki (Centrala Warszawa)' },
  { id: 'PL-ZP', name: 'zachodniopomorski (Centrala Szczecin)' },
];
const COURTS = [
  { id: 'SO-WAW', name: 'Sąd Okręgowy w Warszawie, Wydział Penitencjarny', regionId: 'PL-MZ' },
  { id: 'SO-SZC', name: 'Sąd Okręgowy w Szczecinie, Wydział Penitencjarny', regionId: 'PL-ZP' },
];
const USERS: (DemoUser & { regionId: string | null; courtId: string | null })[] = [
  {
    login: 'demo.operator',
    role: 'operator',
    displayName: 'Operator Centrali (demo)',
    regionId: 'PL-MZ',
    courtId: null,
    password: 'demo-operator-2025',
  },
  {
    login: 'demo.judge',
    role: 'judge',
    displayName: 'SSO Anna Nowak (demo)',
    regionId: null,
    courtId: 'SO-WAW',
    password: 'demo-judge-2025',
  },
  {
    login: 'demo.judge.szczecin',
    role: 'judge',
    displayName: 'SSO Piotr Wiśniewski (demo)',
    regionId: null,
    courtId: 'SO-SZC',
    password: 'demo-judge-2025',
  },
  {
    login: 'demo.officer',
    role: 'probation_officer',
    displayName: 'Kurator Maria Zielińska (demo)',
    regionId: 'PL-MZ',
    courtId: null,
    password: 'demo-officer-2025',
  },
  {
    login: 'demo.officer2',
    role: 'probation_officer',
    displayName: 'Kurator Tomasz Lewandowski (demo)',
    regionId: 'PL-MZ',
    courtId: null,
    password: 'demo-officer-2025',
  },
  {
    login: 'demo.officer.szczecin',
    role: 'probation_officer',
    displayName: 'Kurator Ewa Dąbrowska (demo)',
    regionId: 'PL-ZP',
    courtId: null,
    password: 'demo-officer-2025',
  },
  {
    login: 'demo.installer',
    role: 'installer',
    displayName: 'Technik Krzysztof Wójcik (demo)',
    regionId: 'PL-MZ',
    courtId: null,
    password: 'demo-installer-2025',
  },
  {
    login: 'demo.admin',
    role: 'bureau_admin',
    displayName: 'Biuro Dozoru Elektronicznego (demo)',
    regionId: null,
    courtId: null,
    password: 'demo-admin-2025',
  },
  {
    login: 'demo.auditor',
    role: 'auditor',
    displayName: 'Audytor (demo)',
    regionId: null,
    courtId: null,
    password: 'demo-auditor-2025',
  },
];

type Stage =
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

interface DemoCase {
  caseNumber: string;
  courtId: string;
  officer: string;
  person: [string, string, string];
  address: { street: string; postalCode: string; city: string };
  stage: Stage;
  /**
   * Days ago the application was received (the rest of the history follows it), for cases not under
   * monitoring now; those under monitoring (installed, activated, in execution) are dated back from their
   * installation instead.
   */
  daysAgo?: number;
  term: { years?: number; months?: number; days?: number };
  order: 'office' | 'night_shift' | 'zone' | 'proximity';
  /** Devices by kind: home unit, portable unit, protected-person unit. */
  devices: ('HU' | 'PU' | 'PP')[];
}

const WAW = (street: string) => ({ street, postalCode: '00-001', city: 'Warszawa' });
const CASES: DemoCase[] = [
  {
    caseNumber: 'II K 101/24',
    courtId: 'SO-WAW',
    officer: 'demo.officer',
    person: ['Jan', 'Kowalski', '1984-03-12'],
    address: WAW('ul. Długa 5 m. 3'),
    stage: 'in_execution',
    term: { months: 8 },
    order: 'office',
    devices: ['HU'],
  },
  {
    caseNumber: 'II K 102/24',
    courtId: 'SO-WAW',
    officer: 'demo.officer',
    person: ['Marek', 'Nowicki', '1979-11-02'],
    address: WAW('ul. Grochowska 120 m. 14'),
    stage: 'in_execution',
    term: { months: 10 },
    order: 'night_shift',
    devices: ['HU'],
  },
  {
    caseNumber: 'IV K 203/24',
    courtId: 'SO-WAW',
    officer: 'demo.officer2',
    person: ['Paweł', 'Mazur', '1990-06-30'],
    address: WAW('ul. Puławska 300'),
    stage: 'in_execution',
    term: { years: 1 },
    order: 'zone',
    devices: ['PU'],
  },
  {
    caseNumber: 'IV K 204/24',
    courtId: 'SO-WAW',
    officer: 'demo.officer2',
    person: ['Robert', 'Kaczmarek', '1988-01-17'],
    address: WAW('ul. Targowa 15'),
    stage: 'in_execution',
    term: { months: 6 },
    order: 'proximity',
    devices: ['PU', 'PP'],
  },
  {
    caseNumber: 'II K 105/24',
    courtId: 'SO-WAW',
    officer: 'demo.officer',
    person: ['Adam', 'Zając', '1995-09-09'],
    address: WAW('ul. Wolska 44'),
    stage: 'activated',
    term: { months: 4 },
    order: 'office',
    devices: ['HU'],
  },
  {
    caseNumber: 'II K 106/24',
    courtId: 'SO-WAW',
    officer: 'demo.officer',
    person: ['Łukasz', 'Król', '1992-12-01'],
    address: WAW('ul. Marszałkowska 81'),
    stage: 'installed',
    term: { months: 5 },
    order: 'office',
    devices: ['HU'],
  },
  {
    caseNumber: 'II K 107/24',
    courtId: 'SO-WAW',
    officer: 'demo.officer2',
    person: ['Kamil', 'Wieczorek', '1987-05-22'],
    address: WAW('ul. Obozowa 60'),
    stage: 'readiness_reported',
    daysAgo: 12,
    term: { months: 3 },
    order: 'office',
    devices: [],
  },
  {
    caseNumber: 'II K 108/24',
    courtId: 'SO-WAW',
    officer: 'demo.officer2',
    person: ['Sebastian', 'Jabłoński', '1993-02-14'],
    address: WAW('ul. Radzymińska 33'),
    stage: 'granted',
    daysAgo: 10,
    term: { months: 7 },
    order: 'night_shift',
    devices: [],
  },
  {
    caseNumber: 'II K 109/24',
    courtId: 'SO-WAW',
    officer: 'demo.officer',
    person: ['Dariusz', 'Pawlak', '1981-08-08'],
    address: WAW('ul. Kondratowicza 18'),
    stage: 'application_filed',
    daysAgo: 5,
    term: { months: 9 },
    order: 'office',
    devices: [],
  },
  {
    caseNumber: 'II K 110/24',
    courtId: 'SO-WAW',
    officer: 'demo.officer',
    person: ['Grzegorz', 'Michalski', '1976-04-04'],
    address: WAW('ul. Stalowa 9'),
    stage: 'refused',
    daysAgo: 35,
    term: { years: 1, months: 4 },
    order: 'office',
    devices: [],
  },
  {
    caseNumber: 'II K 111/24',
    courtId: 'SO-WAW',
    officer: 'demo.officer2',
    person: ['Wojciech', 'Górski', '1983-10-19'],
    address: WAW('ul. Leśna 2, Kampinos'),
    stage: 'left_unexamined_technical',
    daysAgo: 30,
    term: { months: 6 },
    order: 'office',
    devices: [],
  },
  {
    caseNumber: 'II K 112/23',
    courtId: 'SO-WAW',
    officer: 'demo.officer',
    person: ['Andrzej', 'Sikora', '1970-07-07'],
    address: WAW('ul. Jagiellońska 7'),
    stage: 'ended_served',
    daysAgo: 90,
    term: { months: 1 },
    order: 'office',
    devices: ['HU'],
  },
  {
    caseNumber: 'II K 113/24',
    courtId: 'SO-WAW',
    officer: 'demo.officer2',
    person: ['Mariusz', 'Baran', '1989-03-03'],
    address: WAW('ul. Ząbkowska 20'),
    stage: 'revoked',
    daysAgo: 70,
    term: { months: 8 },
    order: 'office',
    devices: ['HU'],
  },
  {
    caseNumber: 'III K 301/24',
    courtId: 'SO-SZC',
    officer: 'demo.officer.szczecin',
    person: ['Tadeusz', 'Wróbel', '1985-05-05'],
    address: { street: 'al. Wojska Polskiego 64', postalCode: '70-476', city: 'Szczecin' },
    stage: 'in_execution',
    term: { months: 6 },
    order: 'office',
    devices: ['HU'],
  },
];

const work = (start: string, end: string, label = 'praca'): AwayWindow[] => [{ start, end, label }];

function orderFor(c: DemoCase, protectedPersonId: string | undefined): OrderContent {
  const place = { address: c.address, rangeMeters: 40 };
  const sched = (weekday: AwayWindow[]) => ({
    weekly: {
      mon: weekday,
      tue: weekday,
      wed: weekday,
      thu: weekday,
      fri: weekday,
      sat: work('10:00', '12:00', 'zakupy'),
      sun: work('09:00', '11:00', 'msza św.'),
    },
    oneOffChanges: [],
    exceptions: [],
  });
  switch (c.order) {
    case 'office':
      return {
        supervisionKinds: ['stationary'],
        obligations: [{ kind: 'stay_at_place', place, schedule: sched(work('07:00', '16:00')) }],
        devices: ['transmitter', 'stationary_unit'],
        readinessDeadlineHours: 24,
      };
    case 'night_shift':
      return {
        supervisionKinds: ['stationary'],
        obligations: [
          {
            kind: 'stay_at_place',
            place,
            schedule: sched([
              { start: '21:30', end: '06:30', endsNextDay: true, label: 'praca — zmiana nocna' },
            ]),
          },
        ],
        devices: ['transmitter', 'stationary_unit'],
        readinessDeadlineHours: 24,
      };
    case 'zone':
      return {
        supervisionKinds: ['mobile'],
        obligations: [
          {
            kind: 'exclusion_zone',
            id: 'stadion',
            name: 'Stadion Narodowy i okolice',
            zone: { kind: 'circle', center: { lat: 52.2395, lon: 21.0458 }, radiusMeters: 800 },
          },
          {
            kind: 'exclusion_zone',
            id: 'szkola',
            name: 'ul. Szkolna — szkoła podstawowa',
            zone: {
              kind: 'polygon',
              ring: [
                { lat: 52.2301, lon: 21.0102 },
                { lat: 52.2309, lon: 21.0102 },
                { lat: 52.2309, lon: 21.0121 },
                { lat: 52.2301, lon: 21.0121 },
              ],
            },
          },
        ],
        devices: ['transmitter', 'portable_unit'],
        readinessDeadlineHours: 24,
      };
    case 'proximity':
      return {
        supervisionKinds: ['mobile', 'proximity'],
        obligations: [
          {
            kind: 'exclusion_zone',
            id: 'dom-pokrzywdzonej',
            name: 'ul. Kawęczyńska — miejsce zamieszkania pokrzywdzonej',
            zone: { kind: 'circle', center: { lat: 52.2573, lon: 21.0484 }, radiusMeters: 300 },
          },
          { kind: 'keep_distance', protectedPersonId: protectedPersonId!, minDistanceMeters: 200 },
        ],
        devices: ['transmitter', 'portable_unit', 'protected_person_unit'],
        readinessDeadlineHours: 24,
      };
  }
}

/**
 * Seeds the demo. `deviceIds` are the provisioned demo devices (HU-DEMO-…, PU-DEMO-…, PP-DEMO-…); by
 * default the ids the CLI's demo provisions. Transmitters (TX-DEMO-…) are registered here if missing,
 * since units hear them by radio and they never connect themselves.
 */
export async function seedDemo(
  center: Center,
  opts: {
    deviceIds?: string[];
    /**
     * When the units of the supervisions under monitoring were installed; activation follows a minute and
     * the start of execution two minutes later. Default: three minutes ago — the demo fleet starts right
     * after the seed, so the center hears every unit from its installation on (ADR 0302). An earlier
     * instant gives a history to fill with past data; the units must have reported since, or the center
     * rightly raises communication loss.
     */
    installedAt?: Date;
  } = {},
): Promise<DemoSeed> {
  const db = center.database.db;
  const repo = createCaseRepository(db);
  const supervisions = createSupervisionService({ db, repo });
  const cases = createCaseService({ db, repo, supervisions });
  const actor: Actor = {
    userId: null,
    login: 'demo-seed',
    displayName: 'Demo seed',
    role: 'system',
    regionId: null,
    courtId: null,
    terminal: 'demo seed',
  };

  for (const r of REGIONS) await center.auth.repo.upsertRegion(r);
  for (const c of COURTS) await center.auth.repo.upsertCourt(c);
  const userIds = new Map<string, string>();
  for (const u of USERS) {
    const { password, ...rest } = u;
    const created = await center.auth.bootstrapUser({ ...rest, password });
    userIds.set(u.login, created.id);
  }

  const pad = (n: number) => String(n).padStart(6, '0');
  const wanted = opts.deviceIds ?? [
    ...Array.from({ length: 24 }, (_, i) => `HU-DEMO-${pad(i + 1)}`),
    ...Array.from({ length: 8 }, (_, i) => `PU-DEMO-${pad(i + 1)}`),
    ...Array.from({ length: 2 }, (_, i) => `PP-DEMO-${pad(i + 1)}`),
  ];
  const pool: Record<'HU' | 'PU' | 'PP', string[]> = { HU: [], PU: [], PP: [] };
  for (const id of wanted) {
    const kind = id.slice(0, 2) as 'HU' | 'PU' | 'PP';
    if (pool[kind] && (await center.devices.lookup(id))) pool[kind].push(id);
  }
  const txIds = Array.from({ length: CASES.length }, (_, i) => `TX-DEMO-${pad(i + 1)}`);
  const missingTx: string[] = [];
  for (const id of txIds) if (!(await center.devices.lookup(id))) missingTx.push(id);
  if (missingTx.length > 0) await center.devices.provision({ kind: 'transmitter', ids: missingTx });

  const result: DemoSeed = {
    users: USERS.map(({ login, password, role, displayName }) => ({ login, password, role, displayName })),
    casesCreated: 0,
    supervisions: {},
    transmitterOf: {},
    unitsOf: {},
    fleetScript: [],
  };
  const day = 86_400_000;
  const minute = 60_000;
  const now = Date.now();
  const installedAt = (opts.installedAt ?? new Date(now - 3 * minute)).getTime();
  for (const [i, c] of CASES.entries()) {
    const existing = await repo.caseByNumber(c.courtId, c.caseNumber);
    if (existing) {
      const s = (await repo.supervisionsOfCase(existing.id))[0];
      if (s) result.supervisions[c.caseNumber] = s.id;
      continue;
    }
    // Every procedure takes the same course: survey on day 2, decision and readiness on day 5, installation
    // on day 6. Cases under monitoring are dated back from their installation, the others from `daysAgo`.
    const monitored = c.stage === 'installed' || c.stage === 'activated' || c.stage === 'in_execution';
    const t0 = monitored ? installedAt - 6 * day : now - c.daysAgo! * day;
    const at = (days: number, hours = 0) => new Date(t0 + days * day + hours * 3_600_000).toISOString();
    const iso = (ms: number) => new Date(ms).toISOString();
    const person = await cases.createPerson(actor, {
      givenName: c.person[0],
      familyName: c.person[1],
      birthDate: c.person[2],
      permanentAddress: c.address,
      phone: `+48 600 ${String(100 + i).padStart(3, '0')} ${String(200 + i).padStart(3, '0')}`,
    });
    let protectedPersonId: string | undefined;
    if (c.order === 'proximity') {
      const pp = await cases.createProtectedPerson(actor, {
        givenName: 'Katarzyna',
        familyName: `${c.person[1]}a`,
        consentedOn: new Date(t0).toISOString().slice(0, 10),
        // Her contact, which the data-class policy shows only to those who may see her (ADR 0403).
        phone: '+48 602 404 505',
      });
      protectedPersonId = pp.id;
    }
    const judge = c.courtId === 'SO-SZC' ? 'demo.judge.szczecin' : 'demo.judge';
    const kase = await cases.createCase(actor, {
      caseNumber: c.caseNumber,
      courtId: c.courtId,
      judgmentDate: new Date(t0 - 60 * day).toISOString().slice(0, 10),
      personId: person.id,
      judgeId: userIds.get(judge),
      probationOfficerId: userIds.get(c.officer),
      monitoringAddress: c.address,
      ...(protectedPersonId ? { protectedPersonId } : {}),
    });
    const receivedOn = new Date(t0).toISOString().slice(0, 10);
    const app = await cases.createApplication(actor, kase.id, {
      filerKind: i % 3 === 0 ? 'defence_lawyer' : 'convict',
      filerName: i % 3 === 0 ? 'adw. Barbara Szymańska' : `${c.person[0]} ${c.person[1]}`,
      receivedOn,
      justification: 'Stałe zatrudnienie i opieka nad rodziną; warunki lokalowe pozwalają na dozór.',
      coResidents: [{ name: `Małgorzata ${c.person[1]}`, adult: true, consentInWritingOn: receivedOn }],
      technicianContactPhone: '+48 601 200 300',
      judgmentFinalOn: new Date(t0 - 30 * day).toISOString().slice(0, 10),
      flatOwner:
        i % 2 === 0
          ? { ownerIsPerson: true }
          : {
              ownerIsPerson: false,
              ownerName: `Małgorzata ${c.person[1]}`,
              permissionInWritingOn: receivedOn,
            },
      sentences: [
        {
          kind: 'imprisonment',
          term: { years: c.term.years ?? 0, months: c.term.months ?? 0, days: c.term.days ?? 0 },
        },
      ],
      creditedDays: 0,
      hasPermanentAddress: true,
      recidivistArt64Par2: false,
    });
    const sid = app.supervisionId!;
    result.supervisions[c.caseNumber] = sid;
    result.casesCreated++;
    if (c.stage !== 'application_filed') {
      await cases.recordSurvey(actor, app.id, {
        outcome: c.stage === 'left_unexamined_technical' ? 'not_feasible' : 'feasible',
        notes:
          c.stage === 'left_unexamined_technical'
            ? 'Brak zasięgu sieci komórkowej w lokalu.'
            : 'Zasięg GSM dobry, zasilanie stabilne.',
        surveyedAt: at(2),
      });
      await cases.checkEligibility(actor, app.id, {
        assessedOn: new Date(t0 + 3 * day).toISOString().slice(0, 10),
      });
    } else {
      await cases.recordSurvey(actor, app.id, { outcome: 'pending', notes: 'Wizyta techników umówiona.' });
      continue;
    }
    if (c.stage === 'refused' || c.stage === 'left_unexamined_technical') {
      await cases.decide(actor, app.id, {
        outcome: c.stage,
        decidedAt: at(5),
        reason:
          c.stage === 'refused'
            ? 'Kara przekracza 1 rok i 6 miesięcy (art. 43la KKW).'
            : 'Warunki techniczne uniemożliwiają dozór (brak sieci).',
      });
      continue;
    }
    await cases.decide(actor, app.id, {
      outcome: 'granted',
      decidedAt: at(5),
      announcedOrDeliveredAt: at(5, 1),
      reason: 'Spełnione przesłanki art. 43la KKW; dozór wystarczy dla osiągnięcia celów kary.',
      orderCaseNumber: `III Kow ${500 + i}/24`,
      order: orderFor(c, protectedPersonId),
      readinessManner: { kind: 'phone', details: 'tel. 22 123 45 67' },
    });
    if (c.stage === 'granted') continue;
    await supervisions.reportReadiness(actor, sid, { at: at(5, 10), manner: 'phone' });
    if (c.stage === 'readiness_reported') continue;
    const deviceIds = [txIds[i]!];
    for (const k of c.devices) {
      const d = pool[k].shift();
      if (d) deviceIds.push(d);
    }
    if (deviceIds.length < 1 + c.devices.length) {
      // The fleet is smaller than the demo expects: leave the case at readiness rather than fail.
      continue;
    }
    await supervisions.install(actor, sid, {
      at: at(6),
      deviceIds,
      protocolNumber: `PI/${i + 1}/2024`,
      notes: '',
    });
    if (c.stage === 'installed') continue;
    const activated = await supervisions.activate(actor, sid, {
      at: monitored ? iso(installedAt + minute) : at(6, 2),
      protocolNumber: `PU/${i + 1}/2024`,
      notes: '',
    });
    if (c.stage === 'activated') continue;
    await supervisions.startExecution(actor, sid, monitored ? iso(installedAt + 2 * minute) : at(7));
    if (c.stage === 'in_execution') {
      if (c.order === 'office') {
        await supervisions.approveException(actor, sid, {
          date: new Date(now + 3 * day).toISOString().slice(0, 10),
          window: { start: '17:00', end: '19:00', label: 'wizyta lekarska' },
          reason: 'Skierowanie do poradni specjalistycznej.',
        });
      }
      continue;
    }
    if (c.stage === 'ended_served') {
      await supervisions.endServed(actor, sid, activated.sentenceEnd!.endsAt.toISOString());
    } else {
      await supervisions.revoke(actor, sid, {
        at: at(30),
        reason: 'violated_obligations',
        note: 'Uporczywe opuszczanie miejsca pobytu poza harmonogramem.',
      });
    }
    const end =
      c.stage === 'ended_served' ? activated.sentenceEnd!.endsAt.getTime() + 3_600_000 : Date.parse(at(31));
    await supervisions.remove(actor, sid, {
      at: new Date(end).toISOString(),
      protocolNumber: `PD/${i + 1}/2024`,
      notes: '',
    });
  }
  for (const [caseNumber, supervisionId] of Object.entries(result.supervisions)) {
    const open = (await repo.assignmentsOfSupervision(supervisionId)).filter((a) => a.to === null);
    const tx = open.find((a) => a.deviceKind === 'transmitter');
    if (!tx) continue;
    const units = open.filter((a) => a.deviceKind !== 'transmitter').map((a) => a.deviceId);
    result.unitsOf[caseNumber] = units;
    for (const unit of units) result.transmitterOf[unit] = tx.deviceId;
  }
  const scripted = result.unitsOf[SCRIPTED_TAMPER.caseNumber]?.[0];
  const scriptedTx = scripted === undefined ? undefined : result.transmitterOf[scripted];
  if (scripted !== undefined && scriptedTx !== undefined)
    result.fleetScript.push({
      afterSec: SCRIPTED_TAMPER.afterSec,
      deviceId: scripted,
      body: { kind: 'tx_strap_tamper', tx: scriptedTx },
    });
  return result;
}
