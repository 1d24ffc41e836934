/**
 * What the simulated people and their units do over time: the device models of the regulation driven by a
 * daily life compressed into minutes. A fleet calls `tick(now)` on every behaviour from one timer.
 *
 * - Home unit (T2): stationary; hears its transmitter while the person is at home, so a person leaving and
 *   coming back on a schedule makes tx_out_of_range / tx_in_range; heartbeats at the reporting interval;
 *   occasional tamper, unit moved, power cuts with battery running low.
 * - Portable unit (T3): carried by the person through Warsaw; location fixes with GPS noise, falling back to
 *   Wi-Fi or cell positioning indoors; tx out of range when the person walks away from it.
 * - Protected-person unit (T3, restraining order): carried by the protected person; proximity_tx_heard / lost
 *   when the monitored person's transmitter comes within range and leaves.
 * - Load: a configurable number of events per second per device, for benchmarks.
 */
import type { EventBody } from '@sde/protocol';
import type { SimDevice } from './device.js';
import {
  WARSAW_CENTER,
  WARSAW_RADIUS_M,
  distanceM,
  interpolate,
  noisyFix,
  randomPointNear,
  type LatLon,
} from './geo.js';
import { happens, uniform } from './random.js';
import { SimTransmitter } from './transmitter.js';

/** Knobs of the realistic behaviour; the defaults compress a day into a few minutes of activity. */
export interface BehaviourOptions {
  /** Heartbeat interval when the center has not set one (default 60 s). */
  heartbeatSec: number;
  /** Location fix interval of portable and protected units when the center has not set one (default 30 s). */
  fixIntervalSec: number;
  /** Length of one "day" of the home schedule: leave, stay away, come back (default 300 s). */
  dayCycleSec: number;
  /** Share of the day cycle the person spends away from home (default 0.35). */
  awayShare: number;
  /** Tamper events (strap, case, unit opened or moved) per device per hour (default 0.5). */
  tamperPerHour: number;
  /** Mains power cuts per home unit per hour (default 0.3). */
  powerCutsPerHour: number;
  /** Times per hour a person walks away from their portable unit (default 0.5). */
  leaveUnitPerHour: number;
  /** Encounters with the monitored person per protected unit per hour (default 1). */
  encountersPerHour: number;
  /** How long an encounter lasts (default 20–180 s). */
  encounterSec: [number, number];
  /** How long a person stays away from their portable unit (default 30–300 s). */
  awayFromUnitSec: [number, number];
  /** How long a power cut lasts (default 30–600 s). */
  powerCutSec: [number, number];
  /** Speed-up of walking and transit (default 1: real speeds). */
  speedFactor: number;
  /** Seconds before a person reads a message that arrived (default 5–30 s). */
  readDelaySec: [number, number];
}

/** The defaults of the realistic behaviour. */
export const DEFAULT_BEHAVIOUR: BehaviourOptions = {
  heartbeatSec: 60,
  fixIntervalSec: 30,
  dayCycleSec: 300,
  awayShare: 0.35,
  tamperPerHour: 0.5,
  powerCutsPerHour: 0.3,
  leaveUnitPerHour: 0.5,
  encountersPerHour: 1,
  encounterSec: [20, 180],
  awayFromUnitSec: [30, 300],
  powerCutSec: [30, 600],
  speedFactor: 1,
  readDelaySec: [5, 30],
};

/** A device's behaviour over time. */
export interface Behaviour {
  /** Called on every fleet tick while the fleet generates events. */
  tick(now: number): void;
}

/** Records an event on the device, fire and forget; a failure (journal closed) is logged by the caller. */
type Record_ = (body: EventBody) => void;

abstract class UnitBehaviour implements Behaviour {
  protected last: number;
  protected nextHeartbeat: number;
  protected battery = 100;
  private readonly readAt = new Map<string, number>();

  constructor(
    protected readonly device: SimDevice,
    protected readonly options: BehaviourOptions,
    protected readonly random: () => number,
    protected readonly record: Record_,
    now: number,
  ) {
    this.last = now;
    // Spread the devices' heartbeats over the interval instead of all at once.
    this.nextHeartbeat = now + random() * this.heartbeatMs();
  }

  tick(now: number): void {
    const dt = Math.max(0, now - this.last);
    this.last = now;
    this.step(now, dt);
    if (now >= this.nextHeartbeat) {
      this.nextHeartbeat = now + this.heartbeatMs();
      this.record(this.heartbeat());
    }
    this.readMessages(now);
  }

  protected abstract step(now: number, dt: number): void;
  protected abstract heartbeat(): EventBody;
  /** Whether the person is by the unit and can read its screen. */
  protected abstract personAtUnit(): boolean;

  protected heartbeatMs(): number {
    return (this.device.memory.settings.intervalSec ?? this.options.heartbeatSec) * 1000;
  }

  protected signal(): number {
    return Math.round(uniform(this.random, 55, 95));
  }

  private readMessages(now: number): void {
    for (const message of this.device.messages) {
      if (message.readAt !== undefined) continue;
      let at = this.readAt.get(message.id);
      if (at === undefined) {
        const [min, max] = this.options.readDelaySec;
        at = now + uniform(this.random, min, max) * 1000;
        this.readAt.set(message.id, at);
      }
      if (now >= at && this.personAtUnit()) {
        this.readAt.delete(message.id);
        void this.device.readMessage(message.id).catch(() => undefined);
      }
    }
  }
}

/** A home unit (T2) and the person living where it is installed. */
export class HomeUnitBehaviour extends UnitBehaviour {
  readonly home: LatLon;
  readonly transmitter: SimTransmitter;
  private atHome = true;
  private readonly phase: number;
  private onMains = true;
  private powerBackAt = 0;
  private batteryLowSent = false;

  constructor(
    device: SimDevice,
    options: BehaviourOptions,
    random: () => number,
    record: Record_,
    now: number,
  ) {
    super(device, options, random, record, now);
    this.home = randomPointNear(WARSAW_CENTER, WARSAW_RADIUS_M, random);
    this.transmitter = new SimTransmitter(device.tx);
    this.phase = random();
    if (device.lastSeq === 0) record({ kind: 'tx_in_range', tx: device.tx, rssi: this.rssi() });
    this.atHome = this.scheduledHome(now);
    if (!this.atHome) record({ kind: 'tx_out_of_range', tx: device.tx });
  }

  protected personAtUnit(): boolean {
    return this.atHome;
  }

  protected step(now: number, dt: number): void {
    const tx = this.device.tx;
    const home = this.scheduledHome(now);
    if (home !== this.atHome) {
      this.atHome = home;
      this.record(home ? { kind: 'tx_in_range', tx, rssi: this.rssi() } : { kind: 'tx_out_of_range', tx });
    }
    this.transmitter.age(dt);
    if (happens(this.random, this.options.tamperPerHour, dt)) {
      const which = this.random();
      if (which < 0.35) this.transmitter.strapTamper();
      else if (which < 0.55) this.transmitter.caseTamper();
      else if (which < 0.8) this.record({ kind: 'unit_case_tamper' });
      else this.record({ kind: 'unit_moved' });
    }
    // The unit hears its transmitter only while the person is at home; signals wait in the tag till then.
    if (this.atHome) for (const signal of this.transmitter.hear()) this.record(signal);
    this.power(now, dt);
  }

  protected heartbeat(): EventBody {
    return {
      kind: 'heartbeat',
      battery: Math.round(this.battery),
      signal: this.signal(),
      power: this.onMains ? 'mains' : 'battery',
      // Protocol v1.1: the transmitter's state as the unit sees it; its battery only while it is heard.
      txs: [
        this.atHome
          ? { tx: this.device.tx, inRange: true, battery: Math.round(this.transmitter.battery) }
          : { tx: this.device.tx, inRange: false },
      ],
    };
  }

  private power(now: number, dt: number): void {
    if (this.onMains) {
      this.battery = Math.min(100, this.battery + (30 * dt) / 3_600_000);
      if (happens(this.random, this.options.powerCutsPerHour, dt)) {
        this.onMains = false;
        this.powerBackAt = now + uniform(this.random, ...this.options.powerCutSec) * 1000;
        this.record({ kind: 'unit_power_lost' });
      }
      return;
    }
    // The backup battery lasts about an hour in the simulation, so long cuts reach "battery low".
    this.battery = Math.max(0, this.battery - (100 * dt) / 3_600_000 - (dt > 0 ? 0.05 : 0));
    if (!this.batteryLowSent && this.battery < 20) {
      this.batteryLowSent = true;
      this.record({ kind: 'unit_battery_low', battery: Math.round(this.battery) });
    }
    if (now >= this.powerBackAt) {
      this.onMains = true;
      this.batteryLowSent = false;
      this.record({ kind: 'unit_power_restored' });
    }
  }

  private scheduledHome(now: number): boolean {
    const cycle = this.options.dayCycleSec * 1000;
    const position = (now / cycle + this.phase) % 1;
    return position >= this.options.awayShare;
  }

  private rssi(): number {
    return this.transmitter.rssiAt(uniform(this.random, 2, 15), uniform(this.random, -4, 4));
  }
}

/** A person moving through the city: between home and random places, walking or by tram, with stops. */
export class CityWalker {
  position: LatLon;
  /** True while at a stop (indoors, where GPS is poor). */
  dwelling = true;
  private from: LatLon;
  private to: LatLon;
  private legStart = 0;
  private legMs = 0;
  private dwellUntil: number;
  private goingHome = false;

  constructor(
    readonly home: LatLon,
    private readonly random: () => number,
    private readonly speedFactor: number,
    now: number,
  ) {
    this.position = home;
    this.from = home;
    this.to = home;
    this.dwellUntil = now + uniform(random, 10, 120) * 1000;
  }

  /** Moves the person to where they are at `now`. */
  move(now: number): void {
    if (this.dwelling) {
      if (now < this.dwellUntil) return;
      this.from = this.position;
      this.to = this.goingHome ? this.home : randomPointNear(WARSAW_CENTER, WARSAW_RADIUS_M, this.random);
      this.goingHome = !this.goingHome;
      const metres = distanceM(this.from, this.to);
      const speed =
        (metres > 1500 ? uniform(this.random, 6, 10) : uniform(this.random, 1.1, 1.6)) * this.speedFactor;
      this.legStart = now;
      this.legMs = (metres / speed) * 1000;
      this.dwelling = false;
    }
    const f = this.legMs <= 0 ? 1 : Math.min(1, (now - this.legStart) / this.legMs);
    this.position = interpolate(this.from, this.to, f);
    if (f >= 1) {
      this.dwelling = true;
      this.dwellUntil = now + uniform(this.random, 30, 600) * 1000;
    }
  }

  /** A location fix as the unit's receiver gives it: GPS outdoors, Wi-Fi or cell positioning indoors. */
  fix(): EventBody {
    const r = this.random();
    if (!this.dwelling ? r < 0.92 : r < 0.25) {
      const acc = Math.round(uniform(this.random, 3, 15));
      return { kind: 'location', ...noisyFix(this.position, acc, this.random), acc, src: 'gps' };
    }
    if (r < 0.8) {
      const acc = Math.round(uniform(this.random, 15, 60));
      return { kind: 'location', ...noisyFix(this.position, acc, this.random), acc, src: 'wifi' };
    }
    const acc = Math.round(uniform(this.random, 300, 1500));
    return { kind: 'location', ...noisyFix(this.position, acc, this.random), acc, src: 'cell' };
  }
}

/** A portable unit (T3) carried by the monitored person, who wears its transmitter. */
export class PortableUnitBehaviour extends UnitBehaviour {
  readonly walker: CityWalker;
  readonly transmitter: SimTransmitter;
  private nextFix: number;
  private txInRange = true;
  private backInRangeAt = 0;
  private batteryLowSent = false;

  constructor(
    device: SimDevice,
    options: BehaviourOptions,
    random: () => number,
    record: Record_,
    now: number,
  ) {
    super(device, options, random, record, now);
    this.walker = new CityWalker(
      randomPointNear(WARSAW_CENTER, WARSAW_RADIUS_M, random),
      random,
      options.speedFactor,
      now,
    );
    this.transmitter = new SimTransmitter(device.tx);
    this.nextFix = now + random() * this.fixMs();
    if (device.lastSeq === 0)
      record({ kind: 'tx_in_range', tx: device.tx, rssi: this.transmitter.rssiAt(1) });
  }

  protected personAtUnit(): boolean {
    return this.txInRange;
  }

  protected step(now: number, dt: number): void {
    const tx = this.device.tx;
    this.walker.move(now);
    if (now >= this.nextFix) {
      this.nextFix = now + this.fixMs();
      this.record(this.walker.fix());
    }
    if (this.txInRange && this.walker.dwelling && happens(this.random, this.options.leaveUnitPerHour, dt)) {
      this.txInRange = false;
      this.backInRangeAt = now + uniform(this.random, ...this.options.awayFromUnitSec) * 1000;
      this.record({ kind: 'tx_out_of_range', tx, rssi: -105 });
    } else if (!this.txInRange && now >= this.backInRangeAt) {
      this.txInRange = true;
      this.record({ kind: 'tx_in_range', tx, rssi: this.transmitter.rssiAt(uniform(this.random, 1, 10)) });
    }
    this.transmitter.age(dt);
    if (happens(this.random, this.options.tamperPerHour, dt)) {
      const which = this.random();
      if (which < 0.45) this.transmitter.strapTamper();
      else if (which < 0.7) this.transmitter.caseTamper();
      else this.record({ kind: 'unit_case_tamper' });
    }
    if (this.txInRange) for (const signal of this.transmitter.hear()) this.record(signal);
    // Pocket unit: drains on the move, charges at home stops.
    const charging = this.walker.dwelling && distanceM(this.walker.position, this.walker.home) < 50;
    this.battery = Math.max(0, Math.min(100, this.battery + ((charging ? 40 : -8) * dt) / 3_600_000));
    if (!this.batteryLowSent && this.battery < 20) {
      this.batteryLowSent = true;
      this.record({ kind: 'unit_battery_low', battery: Math.round(this.battery) });
    } else if (this.battery > 30) {
      this.batteryLowSent = false;
    }
  }

  protected heartbeat(): EventBody {
    return { kind: 'heartbeat', battery: Math.round(this.battery), signal: this.signal(), power: 'battery' };
  }

  private fixMs(): number {
    return (this.device.memory.settings.intervalSec ?? this.options.fixIntervalSec) * 1000;
  }
}

/** A protected-person unit: warns (sound and light) when the monitored person's transmitter comes into range. */
export class ProtectedUnitBehaviour extends UnitBehaviour {
  readonly walker: CityWalker;
  private nextFix: number;
  private encounterEndsAt = 0;

  constructor(
    device: SimDevice,
    options: BehaviourOptions,
    random: () => number,
    record: Record_,
    now: number,
  ) {
    super(device, options, random, record, now);
    this.walker = new CityWalker(
      randomPointNear(WARSAW_CENTER, WARSAW_RADIUS_M, random),
      random,
      options.speedFactor,
      now,
    );
    this.nextFix = now + random() * this.fixMs();
  }

  protected personAtUnit(): boolean {
    return true;
  }

  protected step(now: number, dt: number): void {
    const tx = this.device.tx;
    this.walker.move(now);
    if (now >= this.nextFix) {
      this.nextFix = now + this.fixMs();
      this.record(this.walker.fix());
    }
    if (this.encounterEndsAt === 0 && happens(this.random, this.options.encountersPerHour, dt)) {
      this.encounterEndsAt = now + uniform(this.random, ...this.options.encounterSec) * 1000;
      this.record({ kind: 'proximity_tx_heard', tx, rssi: Math.round(uniform(this.random, -95, -70)) });
    } else if (this.encounterEndsAt !== 0 && now >= this.encounterEndsAt) {
      this.encounterEndsAt = 0;
      this.record({ kind: 'proximity_tx_lost', tx });
    }
    this.battery = Math.max(5, this.battery - (5 * dt) / 3_600_000);
    if (happens(this.random, this.options.tamperPerHour / 4, dt)) this.record({ kind: 'unit_case_tamper' });
  }

  protected heartbeat(): EventBody {
    return { kind: 'heartbeat', battery: Math.round(this.battery), signal: this.signal(), power: 'battery' };
  }

  private fixMs(): number {
    return (this.device.memory.settings.intervalSec ?? this.options.fixIntervalSec * 2) * 1000;
  }
}

/** Benchmark load: `rate` events per second per device (heartbeats from home units, fixes from the others). */
export class LoadBehaviour implements Behaviour {
  private last: number;
  private credit: number;
  private readonly walker: CityWalker | undefined;

  constructor(
    private readonly device: SimDevice,
    private readonly rate: number,
    private readonly random: () => number,
    private readonly record: Record_,
    now: number,
  ) {
    this.last = now;
    // A random start credit spreads the devices' events over the first second.
    this.credit = random();
    this.walker =
      device.kind === 'home_unit'
        ? undefined
        : new CityWalker(randomPointNear(WARSAW_CENTER, WARSAW_RADIUS_M, random), random, 1, now);
  }

  tick(now: number): void {
    this.credit += (this.rate * Math.max(0, now - this.last)) / 1000;
    this.last = now;
    if (this.credit < 1) return;
    this.walker?.move(now);
    while (this.credit >= 1) {
      this.credit -= 1;
      this.record(
        this.walker
          ? this.walker.fix()
          : {
              kind: 'heartbeat',
              battery: 100,
              signal: Math.round(uniform(this.random, 55, 95)),
              power: 'mains',
            },
      );
    }
  }
}

/** The realistic behaviour for the device's kind. */
export function behaviourFor(
  device: SimDevice,
  options: BehaviourOptions,
  random: () => number,
  record: Record_,
  now: number,
): Behaviour {
  switch (device.kind) {
    case 'home_unit':
      return new HomeUnitBehaviour(device, options, random, record, now);
    case 'portable_unit':
      return new PortableUnitBehaviour(device, options, random, record, now);
    case 'protected_unit':
      return new ProtectedUnitBehaviour(device, options, random, record, now);
  }
}
