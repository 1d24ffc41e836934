/** What the Bureau's user screen computes: where a role belongs, a place by name, a change, a password. */
import type { Court, ManagedUserAnswer, Region, UserRole } from '@sde/api';

/** The roles a person can be given, and where each belongs (the center checks the same, ADR 0603). */
export const ROLE_CHOICES: { role: UserRole; place: 'region' | 'court' | null }[] = [
  { role: 'operator', place: 'region' },
  { role: 'judge', place: 'court' },
  { role: 'probation_officer', place: 'region' },
  { role: 'installer', place: 'region' },
  { role: 'bureau_admin', place: null },
  { role: 'auditor', place: null },
];

/** The user form's fields, as typed (an empty text is "none"). */
export interface UserDraft {
  login: string;
  displayName: string;
  role: UserRole;
  regionId: string;
  courtId: string;
  email: string;
  phone: string;
}

/**
 * The name of the region or court a user belongs to: null when their role belongs to neither, undefined
 * when the center names a place this list does not hold.
 */
export function placeOf(
  u: Pick<ManagedUserAnswer, 'role' | 'regionId' | 'courtId'>,
  places: { regions: Region[]; courts: Court[] },
): string | null | undefined {
  const kind = ROLE_CHOICES.find((r) => r.role === u.role)?.place ?? null;
  if (kind === 'court' || (kind === null && u.courtId))
    return u.courtId ? places.courts.find((c) => c.id === u.courtId)?.name : null;
  if (kind === 'region' || (kind === null && u.regionId))
    return u.regionId ? places.regions.find((r) => r.id === u.regionId)?.name : null;
  return null;
}

/** The fields the form changed, as the PATCH sends them (an emptied e-mail or phone is cleared). */
export function changedFields(u: ManagedUserAnswer, d: UserDraft): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const text = (s: string) => (s.trim() === '' ? null : s.trim());
  if (d.displayName.trim() !== u.displayName) out.displayName = d.displayName.trim();
  if (d.role !== u.role) out.role = d.role;
  const place = ROLE_CHOICES.find((r) => r.role === d.role)?.place ?? null;
  if (place === 'region' && text(d.regionId) !== u.regionId) out.regionId = text(d.regionId);
  if (place === 'court' && text(d.courtId) !== u.courtId) out.courtId = text(d.courtId);
  if (text(d.email) !== u.email) out.email = text(d.email);
  if (text(d.phone) !== u.phone) out.phone = text(d.phone);
  return out;
}

// No 0/O, 1/l/I: the password is read off the screen and typed in by someone else.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A new password of 16 characters from the browser's cryptographic generator (about 93 bits). */
export function newPassword(length = 16): string {
  const out: string[] = [];
  const bytes = new Uint8Array(1);
  while (out.length < length) {
    crypto.getRandomValues(bytes);
    // Rejection keeps every character equally likely (256 is not a multiple of the alphabet's size).
    if (bytes[0]! < 256 - (256 % ALPHABET.length)) out.push(ALPHABET[bytes[0]! % ALPHABET.length]!);
  }
  return out.join('');
}
