/** Clock synchronisation (T2.4, T3): the NTP-style offset a device learns from a `time` answer. */

/**
 * The offset to add to the device clock to get the center's clock, from one request/answer exchange.
 * `sent` and `received` are device-clock times of the request and the answer; `recv` and `ts` are the
 * center's receive and send times. Network delay is assumed symmetric, as in NTP.
 */
export function clockOffset(sent: number, recv: number, ts: number, received: number): number {
  return Math.round((recv - sent + (ts - received)) / 2);
}
