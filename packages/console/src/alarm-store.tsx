/**
 * The alarms the signed-in person may see, kept live from the stream for the whole session, so a critical
 * alarm sounds on any screen. When the stream reconnects, the list is fetched again to catch what was missed.
 */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { becameDecided, mergeAlarms, needsAttention, upsertAlarm } from './lib/alarms.js';
import { api, ApiError, reauthenticate } from './lib/api.js';
import { beep } from './lib/beep.js';
import { connectStream, type StreamState } from './lib/stream.js';
import type { AlarmAnswer as AlarmView } from '@sde/api';

export interface AlarmStore {
  alarms: AlarmView[];
  /** `unavailable`: this center has no alarms API yet (404). */
  api: 'loading' | 'ok' | 'unavailable' | 'error';
  stream: StreamState;
  /** When the connection dropped (for the banner), and when it came back. */
  lostAt: number | null;
  reconnectedAt: number | null;
  muted: boolean;
  setMuted(m: boolean): void;
  refresh(): Promise<void>;
  /** Replaces one alarm after an action (the stream will confirm it too). */
  put(a: AlarmView): void;
  /** Ids of alarms that arrived live in this session (highlighted briefly). */
  fresh: Set<string>;
}

const Ctx = createContext<AlarmStore | null>(null);
const REPEAT_MS = 20_000;

export function AlarmProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const [alarms, setAlarms] = useState<AlarmView[]>([]);
  const [state, setState] = useState<AlarmStore['api']>('loading');
  const [stream, setStream] = useState<StreamState>('connecting');
  const [lostAt, setLostAt] = useState<number | null>(null);
  const [reconnectedAt, setReconnectedAt] = useState<number | null>(null);
  const [muted, setMuted] = useState(false);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const known = useRef(new Set<string>());
  const alarmsRef = useRef(alarms);
  alarmsRef.current = alarms;
  const mutedRef = useRef(muted);
  mutedRef.current = muted;
  const wasLost = useRef(false);
  // Bumped to open a new stream after the person signed in again in place.
  const [generation, setGeneration] = useState(0);

  const refresh = useCallback(async () => {
    try {
      const [active, closed] = await Promise.all([
        api<{ alarms: AlarmView[] }>('GET', '/api/v1/alarms?limit=200'),
        api<{ alarms: AlarmView[] }>('GET', '/api/v1/alarms?status=closed&limit=50').catch(() => ({
          alarms: [],
        })),
      ]);
      for (const a of [...active.alarms, ...closed.alarms]) known.current.add(a.id);
      setAlarms((list) => mergeAlarms(list, [...active.alarms, ...closed.alarms]));
      setState('ok');
    } catch (e) {
      setState(e instanceof ApiError && e.status === 404 ? 'unavailable' : 'error');
    }
  }, []);

  useEffect(() => {
    if (!enabled) return;
    void refresh();
    const close = connectStream({
      onAlarm: (a) => {
        const isNew = !known.current.has(a.id);
        known.current.add(a.id);
        const before = alarmsRef.current.find((x) => x.id === a.id);
        setAlarms((list) => upsertAlarm(list, a));
        setState('ok');
        // An undecided alarm arrives quietly; it sounds when data decides it (ADR 0501).
        if (isNew || (before !== undefined && becameDecided(before, a))) {
          setFresh((s) => new Set(s).add(a.id));
          setTimeout(
            () =>
              setFresh((s) => {
                const n = new Set(s);
                n.delete(a.id);
                return n;
              }),
            15_000,
          );
          if (needsAttention(a) && !mutedRef.current) beep();
        }
      },
      onState: (s) => {
        setStream(s);
        // EventSource cannot see a 401; ask once whether the session is still there (a 401 signs out).
        if (s === 'lost') void api('GET', '/api/v1/auth/me').catch(() => undefined);
        if (s === 'lost' && !wasLost.current) {
          wasLost.current = true;
          setLostAt(Date.now());
          setReconnectedAt(null);
        }
      },
      onOpen: () => {
        if (wasLost.current) {
          wasLost.current = false;
          setReconnectedAt(Date.now());
          setLostAt(null);
          void refresh();
        }
      },
      onEnded: (reason) => {
        // The stream's session ended. If the person already signed in again (an action's 401 asked first),
        // the cookie holds a new session: just reconnect. Otherwise ask for the password in place.
        void api('GET', '/api/v1/auth/me', undefined, { quiet401: true })
          .then(
            () => true,
            () => reauthenticate(reason),
          )
          .then((again) => {
            if (!again) return;
            wasLost.current = true;
            setGeneration((g) => g + 1);
          });
      },
    });
    return close;
  }, [enabled, refresh, generation]);

  // A critical alarm nobody has acknowledged keeps calling.
  useEffect(() => {
    if (!enabled) return;
    const t = setInterval(() => {
      if (!mutedRef.current && alarmsRef.current.some(needsAttention)) beep();
    }, REPEAT_MS);
    return () => clearInterval(t);
  }, [enabled]);

  const put = useCallback((a: AlarmView) => setAlarms((list) => upsertAlarm(list, a)), []);
  const value = useMemo<AlarmStore>(
    () => ({ alarms, api: state, stream, lostAt, reconnectedAt, muted, setMuted, refresh, put, fresh }),
    [alarms, state, stream, lostAt, reconnectedAt, muted, refresh, put, fresh],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** The session's alarm store. */
export function useAlarms(): AlarmStore {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAlarms outside AlarmProvider');
  return v;
}
