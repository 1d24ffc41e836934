/**
 * Presenters of the monitoring views (ADR 0403): a supervision's positions keep the protected person's
 * devices only for a caller who may see her ({@link ProtectedView}); installers read no positions at all.
 */
import { requirePermission, type Actor } from '../auth/actor.js';
import { mayShowProtected, type ProtectedView, type RestrictedClass } from '../auth/policy.js';

/** One device's fixes in a positions answer, as far as the policy needs to know it. */
interface DeviceFixesLike {
  role: 'monitored_person' | 'protected_person';
}

/**
 * The positions answer as the caller may see it: refused (403) to roles without `track.read`; the protected
 * person's devices removed unless `view` lets the caller see her. `shownProtected` tells the service that a
 * look at her positions happened (to record it).
 */
export function presentPositionsFor<D extends DeviceFixesLike, P extends { devices: D[] }>(
  actor: Actor,
  p: P,
  view: ProtectedView,
): { answer: P & { restricted?: RestrictedClass[] }; shownProtected: boolean } {
  requirePermission(actor, 'track.read');
  const hers = p.devices.filter((d) => d.role === 'protected_person');
  if (hers.length === 0) return { answer: p, shownProtected: false };
  if (mayShowProtected(actor.role, view)) return { answer: p, shownProtected: true };
  return {
    answer: {
      ...p,
      devices: p.devices.filter((d) => d.role !== 'protected_person'),
      restricted: ['protected_person'],
    },
    shownProtected: false,
  };
}

/**
 * A device row or status as the caller may see it. Device answers carry no position and no person's name
 * (battery, power, contact, the case number it serves), so every role that may read a device sees all of it;
 * kept as the one place a future field of a device answer is decided.
 */
export function presentDeviceFor<D extends object>(_actor: Pick<Actor, 'role'>, d: D): D {
  return d;
}

/**
 * A device's commands as the caller may see them: the text of a message to a unit is a communication with a
 * person (the monitored or the protected one); installers, who only set ranges and intervals, get the
 * command without its text.
 */
export function presentCommandsFor<C extends { body: { cmd: string } }>(
  actor: Pick<Actor, 'role'>,
  commands: C[],
): (C & { restricted?: RestrictedClass[] })[] {
  if (actor.role !== 'installer') return commands;
  return commands.map((c) =>
    c.body.cmd === 'message'
      ? { ...c, body: { cmd: c.body.cmd } as C['body'], restricted: ['messages'] as RestrictedClass[] }
      : c,
  );
}
