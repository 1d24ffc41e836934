/**
 * A latency histogram with log-spaced buckets (about 2 % relative precision), cheap enough to record every
 * publish→ack round trip of thousands of devices.
 */

/** Relative width of one bucket. */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);

/** Summary of a histogram, in milliseconds. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Records non-negative durations in milliseconds and answers percentiles. */
export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  private total = 0;
  private sum = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = 0;

  /** Records one duration in milliseconds; negative values (clock steps) count as 0. */
  record(ms: number): void {
    const value = Math.max(0, ms);
    const index = value < 1 ? 0 : Math.ceil(Math.log(value) / LOG_GROWTH);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
    this.total++;
    this.sum += value;
    if (value < this.minValue) this.minValue = value;
    if (value > this.maxValue) this.maxValue = value;
  }

  /** Number of recorded values. */
  get count(): number {
    return this.total;
  }

  /** The value below which `p` percent (0–100) of the recorded values lie; 0 when empty. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.total));
    const indices = [...this.buckets.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const index of indices) {
      seen += this.buckets.get(index) ?? 0;
      if (seen >= rank) {
        const upper = index === 0 ? 1 : GROWTH ** index;
        return Math.min(this.maxValue, Math.max(this.minValue, upper));
      }
    }
    return this.maxValue;
  }

  /** Forgets every recorded value (e.g. after a benchmark's warm-up). */
  reset(): void {
    this.buckets.clear();
    this.total = 0;
    this.sum = 0;
    this.minValue = Number.POSITIVE_INFINITY;
    this.maxValue = 0;
  }

  /** Adds another histogram's values to this one. */
  merge(other: LatencyHistogram): void {
    for (const [index, n] of other.buckets) this.buckets.set(index, (this.buckets.get(index) ?? 0) + n);
    this.total += other.total;
    this.sum += other.sum;
    this.minValue = Math.min(this.minValue, other.minValue);
    this.maxValue = Math.max(this.maxValue, other.maxValue);
  }

  /** Count, min, mean, p50, p90, p99 and max, rounded to 0.1 ms. */
  summary(): LatencySummary {
    const round = (v: number): number => Math.round(v * 10) / 10;
    return {
      count: this.total,
      min: round(this.total === 0 ? 0 : this.minValue),
      mean: round(this.total === 0 ? 0 : this.sum / this.total),
      p50: round(this.percentile(50)),
      p90: round(this.percentile(90)),
      p99: round(this.percentile(99)),
      max: round(this.maxValue),
    };
  }
}
