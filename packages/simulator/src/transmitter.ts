/**
 * The transmitter (T1): a tag on the ankle or wrist with a unique id and no network of its own. It is heard
 * by any unit within range; what it detects (strap removed, case opened, battery low) it signals over the
 * radio, and the unit that hears it records and reports the event.
 */
import type { EventBody } from '@sde/protocol';

/** What a transmitter can signal to a unit that hears it. */
export type TransmitterSignal = Extract<
  EventBody,
  { kind: 'tx_strap_tamper' | 'tx_case_tamper' | 'tx_battery_low' }
>;

/** Battery level below which the transmitter signals that it is running out (T1). */
const BATTERY_LOW = 15;

/** A simulated transmitter. */
export class SimTransmitter {
  /** Battery level in percent. */
  battery: number;
  private signals: TransmitterSignal[] = [];
  private lowSignalled = false;

  constructor(
    readonly id: string,
    /** Battery drain per hour, in percent (real tags last months; simulations may speed it up). */
    private readonly drainPerHour = 0.02,
    battery = 100,
  ) {
    this.battery = battery;
  }

  /** Someone cut or opened the strap. */
  strapTamper(): void {
    this.signals.push({ kind: 'tx_strap_tamper', tx: this.id });
  }

  /** Someone opened the case. */
  caseTamper(): void {
    this.signals.push({ kind: 'tx_case_tamper', tx: this.id });
  }

  /** Time passes: the battery drains and signals "battery low" once when it crosses the threshold. */
  age(ms: number): void {
    this.battery = Math.max(0, this.battery - (this.drainPerHour * ms) / 3_600_000);
    if (!this.lowSignalled && this.battery < BATTERY_LOW) {
      this.lowSignalled = true;
      this.signals.push({ kind: 'tx_battery_low', tx: this.id, battery: Math.round(this.battery) });
    }
  }

  /** An installer fits a new battery. */
  replaceBattery(): void {
    this.battery = 100;
    this.lowSignalled = false;
  }

  /** A unit in range hears the transmitter: it receives the signals not yet heard by any unit. */
  hear(): TransmitterSignal[] {
    if (this.signals.length === 0) return [];
    const heard = this.signals;
    this.signals = [];
    return heard;
  }

  /** Received signal strength in dBm at `distanceM` (log-distance path loss, indoor exponent). */
  rssiAt(distanceM: number, noise = 0): number {
    const rssi = -45 - 25 * Math.log10(Math.max(1, distanceM)) + noise;
    return Math.round(Math.max(-120, Math.min(-30, rssi)));
  }
}
