/**
 * What changed between two evaluations of one supervision, for the center to upsert and notify:
 * `opened` (new id), `updated` (same id, content changed), `resolved` (the condition ended), `withdrawn`
 * (late data shows it did not happen as raised: kept and shown as withdrawn, never deleted silently).
 */
import type { AlarmEpisode } from './types.js';

/** One change of an episode. */
export type EpisodeChange =
  | { readonly type: 'opened'; readonly episode: AlarmEpisode }
  | { readonly type: 'updated'; readonly episode: AlarmEpisode; readonly previous: AlarmEpisode }
  | { readonly type: 'resolved'; readonly episode: AlarmEpisode; readonly previous: AlarmEpisode }
  | { readonly type: 'withdrawn'; readonly previous: AlarmEpisode };

function sameContent(a: AlarmEpisode, b: AlarmEpisode): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Changes from `previous` to `next` (episodes of one supervision). `next` must come from an evaluation
 * covering every episode of `previous` (same or earlier checkpoint), else missing ones read as withdrawn.
 */
export function diffEpisodes(
  previous: readonly AlarmEpisode[],
  next: readonly AlarmEpisode[],
): EpisodeChange[] {
  const before = new Map(previous.map((e) => [e.id, e]));
  const after = new Map(next.map((e) => [e.id, e]));
  const out: EpisodeChange[] = [];
  for (const e of next) {
    const p = before.get(e.id);
    if (p === undefined) out.push({ type: 'opened', episode: e });
    else if (p.resolvedAt === undefined && e.resolvedAt !== undefined)
      out.push({ type: 'resolved', episode: e, previous: p });
    else if (!sameContent(p, e)) out.push({ type: 'updated', episode: e, previous: p });
  }
  for (const p of previous) if (!after.has(p.id)) out.push({ type: 'withdrawn', previous: p });
  return out;
}
