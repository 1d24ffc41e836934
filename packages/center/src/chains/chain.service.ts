/**
 * Checkpoints and verification of the hash chains (ADR 0701). A checkpoint signs every chain's head with
 * the center's Ed25519 key; the verifier walks every chain link by link and holds it against the latest
 * checkpoint, naming the first link of each chain that does not match.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { eventText, GENESIS, link, rawText } from './chain.js';
import type {
  AnchorRow,
  ChainRepository,
  CheckpointRow,
  DeviceLinkRow,
  StoredHead,
} from './chain.repository.js';

/** What is wrong with a link, a chain or a checkpoint. */
export type ChainProblemKind =
  /** The stored record does not hash to its stored hash from its predecessor: changed, or moved. */
  | 'altered'
  /** A position of the chain holds no record: deleted. */
  | 'missing'
  /** A position holds a second record: added afterwards. */
  | 'inserted'
  /** The chain's stored head (the device row, the audit lane) disagrees with its last link. */
  | 'head'
  /** The chain does not reach, or does not pass through, the head a checkpoint signed. */
  | 'checkpoint_head'
  /** A checkpoint whose signature does not verify with the center's key, or that another key signed. */
  | 'checkpoint_signature'
  /** A checkpoint that does not follow the one before it (one removed, or added). */
  | 'checkpoint_sequence';

/** The first problem of a chain (or of the checkpoints), naming the record. */
export interface ChainProblem {
  kind: ChainProblemKind;
  /** `device` (frames and events), `audit` (a lane of the audit log) or `checkpoint`. */
  chain: 'device' | 'audit' | 'checkpoint';
  /** The device's id, for a device's chain. */
  device?: string;
  /** The lane, for the audit log. */
  lane?: number;
  /** The position in the chain (1 is the first link). */
  pos?: number;
  /** The record at that position: `raw` frame, `event`, `audit` record or `checkpoint`. */
  record?: 'raw' | 'event' | 'audit' | 'checkpoint';
  /** The record's id (the checkpoint's, for the checkpoints). */
  id?: number;
  /** The event's sequence number. */
  seq?: number;
  /** The same in words. */
  message: string;
}

/** What a verification found. */
export interface ChainVerification {
  /** True when every chain and every checkpoint matches. */
  intact: boolean;
  chains: number;
  /** Links checked. */
  links: number;
  /** Records stored before the chains existed (migration 0018): not covered. */
  unchained: number;
  /** Checkpoints whose signature was checked. */
  checkpoints: number;
  /** The checkpoint the chains were held against: the latest. */
  checkpoint: { id: number; at: Date; keyId: string } | null;
  /** The first problem of each chain that has one (at most 100), ordered by chain. */
  problems: ChainProblem[];
}

const MAX_PROBLEMS = 100;
/** Devices read per query by the verifier. */
const DEVICES_PER_READ = 200;
/** Audit links read per query. */
const AUDIT_PER_READ = 5000;

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The heads a checkpoint signs: `[no, len, head]` per chain. */
interface CheckpointHeads {
  devices: [number, number, string][];
  audit: [number, number, string][];
}

/** The signed text of a checkpoint. */
interface Signed {
  v: 1;
  at: number;
  key: string;
  prev: string | null;
  heads: string;
}

/** The walk of one chain: where it is, and its first problem. */
class ChainWalk {
  expected: number;
  prev: string;
  /** Links up to here were removed by retention; any still stored (kept by a partition boundary) are skipped. */
  readonly start: number;
  problem: (Omit<ChainProblem, 'chain' | 'message'> & { message: string }) | undefined;
  /**
   * `head`: the chain's head as read before its links. Links written after that read (the center keeps
   * storing while it is verified) are checked for their links but not against it.
   */
  constructor(
    anchor: AnchorRow | undefined,
    readonly signed: { len: number; head: string } | undefined,
    readonly head: StoredHead | undefined,
  ) {
    this.start = anchor?.pos ?? 0;
    this.expected = this.start + 1;
    this.prev = anchor?.hash ?? GENESIS;
  }

  /** Checks the next stored link; `what` names the record for a problem. */
  step(
    pos: number,
    stored: string | null,
    text: string,
    what: { record: ChainProblem['record']; id: number; seq?: number; name: string },
  ): void {
    if (this.problem || pos <= this.start) return;
    const at = {
      pos,
      record: what.record,
      id: what.id,
      ...(what.seq !== undefined ? { seq: what.seq } : {}),
    };
    if (pos < this.expected) {
      this.problem = {
        kind: 'inserted',
        ...at,
        message: `${what.name} takes link ${pos}, which another record holds`,
      };
      return;
    }
    if (pos > this.expected) {
      this.problem = {
        kind: 'missing',
        pos: this.expected,
        message: `link ${this.expected} is missing (the next stored is ${what.name} at link ${pos})`,
      };
      return;
    }
    const h = link(this.prev, text);
    if (!stored || h !== stored) {
      this.problem = {
        kind: 'altered',
        ...at,
        message: `${what.name} at link ${pos} does not match its hash`,
      };
      return;
    }
    if (this.signed && pos === this.signed.len && h !== this.signed.head) {
      this.problem = {
        kind: 'checkpoint_head',
        ...at,
        message: `${what.name} at link ${pos} is not the link the checkpoint signed`,
      };
      return;
    }
    if (this.head && pos === this.head.len && h !== this.head.head) {
      this.problem = {
        kind: 'head',
        ...at,
        message: `${what.name} at link ${pos} is not the chain's stored head`,
      };
      return;
    }
    this.prev = h;
    this.expected++;
  }

  /** After the last stored link: the chain must reach what was signed and what its head row says. */
  finish(): void {
    if (this.problem) return;
    const head = this.head;
    const last = this.expected - 1;
    if (this.signed && last < this.signed.len) {
      this.problem = {
        kind: 'missing',
        pos: last + 1,
        message: `links ${last + 1} to ${this.signed.len} are missing (the checkpoint signed ${this.signed.len})`,
      };
    } else if (head && head.len > last) {
      this.problem = {
        kind: 'missing',
        pos: last + 1,
        message: `links ${last + 1} to ${head.len} are missing`,
      };
    }
  }
}

/** A verification's answer. */
function outcome(
  cps: { count: number; latest: CheckpointRow | undefined },
  problems: ChainProblem[],
  chains: number,
  links: number,
  unchained: number,
): ChainVerification {
  return {
    intact: problems.length === 0,
    chains,
    links,
    unchained,
    checkpoints: cps.count,
    checkpoint: cps.latest ? { id: cps.latest.id, at: cps.latest.at, keyId: cps.latest.keyId } : null,
    problems,
  };
}

/** Creates the checkpoints and the verifiers over `repo`, signing with `key`. */
export function createChainService(deps: {
  repo: ChainRepository;
  key: { privateKey: KeyObject; publicKey: KeyObject; keyId: string };
  now?: () => number;
}) {
  const { repo, key } = deps;
  const now = deps.now ?? Date.now;

  /** Checks every checkpoint's signature and sequence; returns the latest heads and problems found. */
  async function checkCheckpoints(): Promise<{
    count: number;
    latest: (CheckpointRow & { parsed: CheckpointHeads }) | undefined;
    problems: ChainProblem[];
  }> {
    const all = await repo.checkpoints();
    const problems: ChainProblem[] = [];
    let prev: string | null = null;
    for (const c of all) {
      const name = `checkpoint ${c.id}`;
      let parsed: Signed | undefined;
      try {
        parsed = JSON.parse(c.signed) as Signed;
      } catch {
        parsed = undefined;
      }
      if (c.keyId !== key.keyId || !verify(null, Buffer.from(c.signed, 'utf8'), key.publicKey, c.signature)) {
        problems.push({
          kind: 'checkpoint_signature',
          chain: 'checkpoint',
          record: 'checkpoint',
          id: c.id,
          message:
            c.keyId !== key.keyId
              ? `${name} is signed by key ${c.keyId}, not by this center's key ${key.keyId}`
              : `${name}: its signature does not verify with this center's key`,
        });
      } else if (!parsed || parsed.prev !== prev) {
        problems.push({
          kind: 'checkpoint_sequence',
          chain: 'checkpoint',
          record: 'checkpoint',
          id: c.id,
          message: `${name} does not follow the checkpoint before it (one was removed or added)`,
        });
      }
      prev = sha256(c.signature);
    }
    const tail = await repo.latestCheckpoint();
    let latest: (CheckpointRow & { parsed: CheckpointHeads }) | undefined;
    if (tail && problems.every((p) => p.id !== tail.id)) {
      const signed = JSON.parse(tail.signed) as Signed;
      if (tail.heads === undefined || sha256(tail.heads) !== signed.heads) {
        problems.push({
          kind: 'checkpoint_signature',
          chain: 'checkpoint',
          record: 'checkpoint',
          id: tail.id,
          message: `checkpoint ${tail.id}: its heads are not the ones signed`,
        });
      } else latest = { ...tail, parsed: JSON.parse(tail.heads) as CheckpointHeads };
    }
    return { count: all.length, latest, problems };
  }

  const signedOf = (rows: [number, number, string][] | undefined) =>
    new Map((rows ?? []).map(([no, len, head]) => [no, { len, head }]));

  return {
    /** Signs and stores a checkpoint of every chain's head now. */
    async checkpoint(): Promise<void> {
      const [devices, audit, last] = await Promise.all([
        repo.deviceHeads(),
        repo.auditHeads(),
        repo.latestCheckpoint(),
      ]);
      const heads = JSON.stringify({
        devices: devices.map((d) => [d.no, d.len, d.head]),
        audit: audit.map((a) => [a.no, a.len, a.head]),
      } satisfies CheckpointHeads);
      const at = now();
      const signed = JSON.stringify({
        v: 1,
        at,
        key: key.keyId,
        prev: last ? sha256(last.signature) : null,
        heads: sha256(heads),
      } satisfies Signed);
      const signature = sign(null, Buffer.from(signed, 'utf8'), key.privateKey);
      await repo.addCheckpoint({ at: new Date(at), keyId: key.keyId, heads, signed, signature });
    },

    /** Walks every device's chain of frames and events. */
    async verifyLedger(): Promise<ChainVerification> {
      const cps = await checkCheckpoints();
      const signed = signedOf(cps.latest?.parsed.devices);
      const anchors = new Map(
        (await repo.anchors()).filter((a) => a.chain === 'device').map((a) => [a.no, a]),
      );
      const heads = await repo.deviceHeads();
      const byNo = new Map(heads.map((h) => [h.no, h]));
      const nos = [
        ...new Set([...heads.map((h) => h.no), ...signed.keys(), ...(await repo.devicesWithLinks())]),
      ].sort((a, b) => a - b);
      const problems: ChainProblem[] = [...cps.problems];
      let links = 0;
      for (let i = 0; i < nos.length; i += DEVICES_PER_READ) {
        const slice = nos.slice(i, i + DEVICES_PER_READ);
        const rows = await repo.deviceLinks(slice[0]!, slice.at(-1)!);
        const byDevice = new Map<number, DeviceLinkRow[]>();
        for (const r of rows) {
          let list = byDevice.get(r.deviceNo);
          if (!list) byDevice.set(r.deviceNo, (list = []));
          list.push(r);
        }
        for (const no of slice) {
          const walk = new ChainWalk(anchors.get(no), signed.get(no), byNo.get(no));
          const name = byNo.get(no)?.id ?? `device no ${no}`;
          for (const r of byDevice.get(no) ?? []) {
            links++;
            if (r.type === 'raw') {
              walk.step(r.pos, r.hash, rawText(r), { record: 'raw', id: r.id, name: `frame ${r.id}` });
            } else {
              walk.step(r.pos, r.hash, eventText(r), {
                record: 'event',
                id: r.id,
                seq: r.seq,
                name: `event seq ${r.seq} (id ${r.id})`,
              });
            }
          }
          walk.finish();
          if (walk.problem && problems.length < MAX_PROBLEMS) {
            problems.push({
              chain: 'device',
              device: name,
              ...walk.problem,
              message: `device ${name}: ${walk.problem.message}`,
            });
          }
        }
      }
      return outcome(cps, problems, nos.length, links, await repo.unchained());
    },

    /** Walks every lane of the audit log. */
    async verifyAudit(): Promise<ChainVerification> {
      const cps = await checkCheckpoints();
      const signed = signedOf(cps.latest?.parsed.audit);
      const anchors = new Map(
        (await repo.anchors()).filter((a) => a.chain === 'audit').map((a) => [a.no, a]),
      );
      const heads = new Map((await repo.auditHeads()).map((h) => [h.no, h]));
      const walks = new Map<number, ChainWalk>();
      const walkOf = (lane: number) => {
        let w = walks.get(lane);
        if (!w) walks.set(lane, (w = new ChainWalk(anchors.get(lane), signed.get(lane), heads.get(lane))));
        return w;
      };
      let links = 0;
      let after = { lane: 0, pos: 0, id: 0 };
      for (;;) {
        const rows = await repo.auditLinks(after, AUDIT_PER_READ);
        for (const r of rows) {
          links++;
          walkOf(r.lane).step(r.pos, r.hash, r.text, {
            record: 'audit',
            id: r.id,
            name: `audit record ${r.id}`,
          });
        }
        if (rows.length < AUDIT_PER_READ) break;
        const tail = rows.at(-1)!;
        after = { lane: tail.lane, pos: tail.pos, id: tail.id };
      }
      for (const lane of [...heads.keys(), ...signed.keys()]) walkOf(lane);
      const problems: ChainProblem[] = [...cps.problems];
      for (const [lane, walk] of [...walks.entries()].sort((a, b) => a[0] - b[0])) {
        walk.finish();
        if (walk.problem && problems.length < MAX_PROBLEMS) {
          problems.push({
            chain: 'audit',
            lane,
            ...walk.problem,
            message: `audit lane ${lane}: ${walk.problem.message}`,
          });
        }
      }
      return outcome(cps, problems, walks.size, links, await repo.auditUnchained());
    },
  };
}

export type ChainService = ReturnType<typeof createChainService>;
