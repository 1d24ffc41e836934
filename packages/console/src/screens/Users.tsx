/**
 * The Bureau's user screen (issue 20 item 4, ADR 0603): every account with its role, region or court by
 * name and its state; a new account; a user's name, role, place, e-mail and phone changed; an account
 * deactivated or reactivated; a new password set and shown once; a second factor removed. What the center
 * refuses is shown beside the field it names.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { Court, ManagedUserAnswer, Region, UserRole } from '@sde/api';
import { ErrorText, Loading } from '../components/Status.js';
import { useI18n } from '../i18n.js';
import { api, ApiError } from '../lib/api.js';
import type { MessageKey } from '../lib/messages.js';
import type { Actor } from '../lib/session.js';
import { useAsync } from '../lib/useAsync.js';
import { changedFields, newPassword, placeOf, ROLE_CHOICES, type UserDraft } from '../lib/users.js';

interface Places {
  regions: Region[];
  courts: Court[];
}

async function loadAll(): Promise<{ users: ManagedUserAnswer[] } & Places> {
  const [u, r, c] = await Promise.all([
    api<{ users: ManagedUserAnswer[] }>('GET', '/api/v1/users'),
    api<{ regions: Region[] }>('GET', '/api/v1/regions'),
    api<{ courts: Court[] }>('GET', '/api/v1/courts'),
  ]);
  return { users: u.users, regions: r.regions, courts: c.courts };
}

const EMPTY: UserDraft = {
  login: '',
  displayName: '',
  role: 'probation_officer',
  regionId: '',
  courtId: '',
  email: '',
  phone: '',
};

/** The form's message for a refused field: the center's own words in the reader's language. */
function useFieldText() {
  const { t, lang } = useI18n();
  return (error: unknown, field: string): string | null => {
    if (!(error instanceof ApiError)) return null;
    const problem = error.fields.find((f) => f.path === field);
    if (!problem) return null;
    if (lang === 'en') return problem.message;
    const key = `users.invalid.${field}` as MessageKey;
    return problem.messagePl ?? t(key);
  };
}

export function Users({ user }: { user: Actor }) {
  const { t } = useI18n();
  const all = useAsync(loadAll, []);
  const [editing, setEditing] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  // The one-time password, held only until the person hides it; never stored anywhere else.
  const [oneTime, setOneTime] = useState<{ login: string; password: string } | null>(null);

  const act = async (fn: () => Promise<string>) => {
    setError(null);
    setDone(null);
    try {
      setDone(await fn());
      all.reload();
    } catch (e) {
      setError(e);
    }
  };
  const patch = (u: ManagedUserAnswer, body: Record<string, unknown>) =>
    api<{ user: ManagedUserAnswer }>('PATCH', `/api/v1/users/${u.id}`, body);

  const data = all.data;
  return (
    <div className="users">
      <h1>{t('users.title')}</h1>
      <p className="muted">{t('users.intro')}</p>
      {oneTime ? <OneTimePassword {...oneTime} onDone={() => setOneTime(null)} /> : null}
      {done ? (
        <p className="ok" role="status" data-testid="users-done">
          {done}
        </p>
      ) : null}
      <ErrorText error={error} />
      {data ? (
        <CreateUser
          places={data}
          onCreated={(login, password) => {
            setOneTime({ login, password });
            setDone(t('users.created', { login }));
            all.reload();
          }}
        />
      ) : null}

      <section className="block" aria-labelledby="h-users">
        <h2 id="h-users">{t('users.listTitle')}</h2>
        {all.loading && !data ? <Loading /> : null}
        <ErrorText error={all.error} />
        {data ? (
          <div className="table-wrap">
            <table data-testid="users-table">
              <thead>
                <tr>
                  <th>{t('users.name')}</th>
                  <th>{t('users.login')}</th>
                  <th>{t('users.role')}</th>
                  <th>{t('users.place')}</th>
                  <th>{t('users.email')}</th>
                  <th>{t('users.phone')}</th>
                  <th>{t('users.state')}</th>
                  <th>{t('users.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {data.users.map((u) => (
                  <UserRow
                    key={u.id}
                    u={u}
                    places={data}
                    self={u.id === user.userId}
                    editing={editing === u.id}
                    onEdit={() => setEditing(editing === u.id ? null : u.id)}
                    onSaved={(login) => {
                      setEditing(null);
                      setDone(t('users.saved', { login }));
                      all.reload();
                    }}
                    onActive={(active) =>
                      act(async () => {
                        await patch(u, { active });
                        return t(active ? 'users.reactivated' : 'users.deactivated', { login: u.login });
                      })
                    }
                    onPassword={() =>
                      act(async () => {
                        const password = newPassword();
                        await patch(u, { password });
                        setOneTime({ login: u.login, password });
                        return t('users.saved', { login: u.login });
                      })
                    }
                    onTotp={() =>
                      act(async () => {
                        await api('DELETE', `/api/v1/users/${u.id}/totp`);
                        return t('users.totpReset', { login: u.login });
                      })
                    }
                  />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </div>
  );
}

function OneTimePassword(p: { login: string; password: string; onDone: () => void }) {
  const { t } = useI18n();
  return (
    <div className="notice" role="status" data-testid="one-time">
      <h2>{t('users.oneTimeTitle', { login: p.login })}</h2>
      <p>
        <code className="one-time" data-testid="one-time-password">
          {p.password}
        </code>
      </p>
      <p className="small">{t('users.oneTimeHelp')}</p>
      <button type="button" onClick={p.onDone} data-testid="one-time-done">
        {t('users.oneTimeDone')}
      </button>
    </div>
  );
}

function UserRow(p: {
  u: ManagedUserAnswer;
  places: Places;
  self: boolean;
  editing: boolean;
  onEdit: () => void;
  onSaved: (login: string) => void;
  onActive: (active: boolean) => Promise<void>;
  onPassword: () => Promise<void>;
  onTotp: () => Promise<void>;
}) {
  const { t } = useI18n();
  const { u } = p;
  const place = placeOf(u, p.places);
  return (
    <>
      <tr data-testid={`user-${u.login}`} className={u.active ? '' : 'muted'}>
        <td>{u.displayName}</td>
        <td>{u.login}</td>
        <td>{t(`role.${u.role}` as MessageKey)}</td>
        <td>{place === null ? t('users.noPlace') : (place ?? t('users.unknownPlace'))}</td>
        <td data-testid="user-email">{u.email ?? t('users.none')}</td>
        <td data-testid="user-phone">{u.phone ?? t('users.none')}</td>
        <td data-testid="user-state">{u.active ? t('users.active') : t('users.inactive')}</td>
        <td className="actions">
          <button type="button" onClick={p.onEdit} data-testid="user-edit">
            {t('users.edit')}
          </button>{' '}
          {p.self ? null : (
            <button type="button" onClick={() => void p.onActive(!u.active)} data-testid="user-active">
              {u.active ? t('users.deactivate') : t('users.reactivate')}
            </button>
          )}{' '}
          <button type="button" onClick={() => void p.onPassword()} data-testid="user-password">
            {t('users.resetPassword')}
          </button>{' '}
          <button type="button" onClick={() => void p.onTotp()} data-testid="user-totp">
            {t('users.resetTotp')}
          </button>
        </td>
      </tr>
      {p.editing ? (
        <tr>
          <td colSpan={8}>
            <EditUser u={u} places={p.places} self={p.self} onSaved={p.onSaved} onCancel={p.onEdit} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function draftOf(u: ManagedUserAnswer): UserDraft {
  return {
    login: u.login,
    displayName: u.displayName,
    role: u.role,
    regionId: u.regionId ?? '',
    courtId: u.courtId ?? '',
    email: u.email ?? '',
    phone: u.phone ?? '',
  };
}

function EditUser(p: {
  u: ManagedUserAnswer;
  places: Places;
  self: boolean;
  onSaved: (login: string) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<UserDraft>(() => draftOf(p.u));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [nothing, setNothing] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = changedFields(p.u, draft);
    if (Object.keys(body).length === 0) {
      setNothing(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api('PATCH', `/api/v1/users/${p.u.id}`, body);
      p.onSaved(p.u.login);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      onSubmit={(e) => void submit(e)}
      data-testid="user-edit-form"
      aria-label={t('users.editTitle', { login: p.u.login })}
    >
      <h3>{t('users.editTitle', { login: p.u.login })}</h3>
      <UserFields draft={draft} setDraft={setDraft} places={p.places} error={error} lockRole={p.self} />
      {nothing ? <p className="muted">{t('users.noChange')}</p> : null}
      <ErrorText error={unshown(error, fieldsOf(draft))} />
      <button type="submit" className="primary" disabled={busy} data-testid="user-save">
        {t('users.save')}
      </button>{' '}
      <button type="button" onClick={p.onCancel}>
        {t('users.cancel')}
      </button>
    </form>
  );
}

function CreateUser(p: { places: Places; onCreated: (login: string, password: string) => void }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<UserDraft>(EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const password = newPassword();
    const needs = ROLE_CHOICES.find((r) => r.role === draft.role)!.place;
    try {
      await api('POST', '/api/v1/users', {
        login: draft.login.trim(),
        displayName: draft.displayName.trim(),
        role: draft.role,
        regionId: needs === 'region' ? draft.regionId || null : null,
        courtId: needs === 'court' ? draft.courtId || null : null,
        password,
        ...(draft.email.trim() ? { email: draft.email.trim() } : {}),
        ...(draft.phone.trim() ? { phone: draft.phone.trim() } : {}),
      });
      setDraft(EMPTY);
      p.onCreated(draft.login.trim(), password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="block" aria-labelledby="h-new-user">
      <h2 id="h-new-user">{t('users.createTitle')}</h2>
      <p className="muted small">{t('users.createHelp')}</p>
      <form onSubmit={(e) => void submit(e)} data-testid="user-create-form">
        <Field label={t('users.login')} id="new-login" error={error} field="login">
          <input
            id="new-login"
            value={draft.login}
            onChange={(e) => setDraft({ ...draft, login: e.target.value })}
            autoComplete="off"
            required
          />
        </Field>
        <UserFields draft={draft} setDraft={setDraft} places={p.places} error={error} idPrefix="new" />
        <ErrorText error={unshown(error, ['login', ...fieldsOf(draft)])} />
        <button type="submit" className="primary" disabled={busy} data-testid="user-create">
          {t('users.create')}
        </button>
      </form>
    </section>
  );
}

/** The form's fields on screen for this draft (the place only of the kind its role belongs to). */
function fieldsOf(d: UserDraft): string[] {
  const place = ROLE_CHOICES.find((r) => r.role === d.role)?.place ?? null;
  return ['displayName', 'role', 'email', 'phone', ...(place ? [`${place}Id`] : [])];
}

/** The error to show above the button: none when every field it names is shown beside its input. */
function unshown(error: unknown, visible: string[]): unknown {
  if (!(error instanceof ApiError) || error.fields.length === 0) return error;
  return error.fields.every((f) => visible.includes(f.path)) ? null : error;
}

/** A labelled input with the center's refusal of it, if any, right below. */
function Field(p: { label: string; id: string; error: unknown; field: string; children: ReactNode }) {
  const fieldText = useFieldText();
  const problem = fieldText(p.error, p.field);
  return (
    <div className="field">
      <label htmlFor={p.id}>{p.label}</label>
      {p.children}
      {problem ? (
        <p className="error small" id={`${p.id}-error`} data-testid={`${p.id}-error`}>
          {problem}
        </p>
      ) : null}
    </div>
  );
}

function UserFields(p: {
  draft: UserDraft;
  setDraft: (d: UserDraft) => void;
  places: Places;
  error: unknown;
  idPrefix?: string;
  lockRole?: boolean;
}) {
  const { t } = useI18n();
  const { draft, setDraft } = p;
  const id = (f: string) => `${p.idPrefix ?? 'edit'}-${f}`;
  const needs = ROLE_CHOICES.find((r) => r.role === draft.role)?.place ?? null;
  return (
    <div className="inline-form">
      <Field label={t('users.name')} id={id('displayName')} error={p.error} field="displayName">
        <input
          id={id('displayName')}
          value={draft.displayName}
          onChange={(e) => setDraft({ ...draft, displayName: e.target.value })}
          required
        />
      </Field>
      <Field label={t('users.role')} id={id('role')} error={p.error} field="role">
        <select
          id={id('role')}
          value={draft.role}
          disabled={p.lockRole}
          onChange={(e) => setDraft({ ...draft, role: e.target.value as UserRole })}
        >
          {ROLE_CHOICES.map((r) => (
            <option key={r.role} value={r.role}>
              {t(`role.${r.role}` as MessageKey)}
            </option>
          ))}
        </select>
      </Field>
      {needs === null ? null : (
        <PlaceSelect
          kind={needs}
          id={id(`${needs}Id`)}
          value={needs === 'region' ? draft.regionId : draft.courtId}
          options={needs === 'region' ? p.places.regions : p.places.courts}
          error={p.error}
          onChange={(v) =>
            setDraft(needs === 'region' ? { ...draft, regionId: v } : { ...draft, courtId: v })
          }
        />
      )}
      <Field label={t('users.email')} id={id('email')} error={p.error} field="email">
        <input
          id={id('email')}
          type="text"
          inputMode="email"
          value={draft.email}
          placeholder={t('users.emailHint')}
          onChange={(e) => setDraft({ ...draft, email: e.target.value })}
        />
      </Field>
      <Field label={t('users.phone')} id={id('phone')} error={p.error} field="phone">
        <input
          id={id('phone')}
          type="tel"
          value={draft.phone}
          placeholder={t('users.phoneHint')}
          onChange={(e) => setDraft({ ...draft, phone: e.target.value })}
        />
      </Field>
    </div>
  );
}

/** The region or the court a role belongs to, chosen by name. */
function PlaceSelect(p: {
  kind: 'region' | 'court';
  id: string;
  value: string;
  options: { id: string; name: string }[];
  error: unknown;
  onChange: (id: string) => void;
}) {
  const { t } = useI18n();
  return (
    <Field label={t(`users.${p.kind}`)} id={p.id} error={p.error} field={`${p.kind}Id`}>
      <select id={p.id} value={p.value} onChange={(e) => p.onChange(e.target.value)}>
        <option value="">{t('users.choose')}</option>
        {p.options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </Field>
  );
}
