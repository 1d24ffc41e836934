/** A min-heap of (instant, supervision) with one live entry per supervision (older entries are skipped). */
export class DueHeap {
  private heap: { at: number; id: string }[] = [];
  private current = new Map<string, number>();

  /** Sets (or clears, with undefined) the supervision's due instant. */
  set(id: string, at: number | undefined): void {
    if (at === undefined) {
      this.current.delete(id);
      return;
    }
    if (this.current.get(id) === at) return;
    this.current.set(id, at);
    this.heap.push({ at, id });
    this.up(this.heap.length - 1);
  }

  /** The earliest live due instant. */
  peek(): number | undefined {
    this.prune();
    return this.heap[0]?.at;
  }

  /** Removes and returns every supervision due at or before `now`. */
  popDue(now: number): string[] {
    const out: string[] = [];
    for (;;) {
      this.prune();
      const top = this.heap[0];
      if (top === undefined || top.at > now) return out;
      this.pop();
      this.current.delete(top.id);
      out.push(top.id);
    }
  }

  get size(): number {
    return this.current.size;
  }

  private prune(): void {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (this.current.get(top.id) === top.at) return;
      this.pop();
    }
  }

  private pop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= h[i]!.at) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]!.at < h[m]!.at) m = l;
      if (r < h.length && h[r]!.at < h[m]!.at) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
}
