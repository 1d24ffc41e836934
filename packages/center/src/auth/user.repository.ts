/** SQL for users, sessions, regions and courts. */
import type { Database } from '../db/database.js';
import type { UserRole } from './actor.js';

/** A user as the API shows it (never the password hash). */
export interface User {
  id: string;
  login: string;
  displayName: string;
  role: UserRole;
  regionId: string | null;
  courtId: string | null;
  active: boolean;
  createdAt: Date;
}

/** A user with the contacts notifications go to, as the Bureau's user list shows it. */
export interface ManagedUser extends User {
  email: string | null;
  phone: string | null;
}

const USER_COLUMNS = [
  'id',
  'login',
  'display_name',
  'role',
  'region_id',
  'court_id',
  'active',
  'created_at',
] as const;

function toUser(r: {
  id: string;
  login: string;
  display_name: string;
  role: UserRole;
  region_id: string | null;
  court_id: string | null;
  active: boolean;
  created_at: Date;
}): User {
  return {
    id: r.id,
    login: r.login,
    displayName: r.display_name,
    role: r.role,
    regionId: r.region_id,
    courtId: r.court_id,
    active: r.active,
    createdAt: r.created_at,
  };
}

/** Creates the identity repository. */
export function createIdentityRepository(db: Database) {
  return {
    /** Sets where alarm notifications reach the user (migration 0004). */
    async setContact(id: string, c: { email: string | null; phone: string | null }, trx: Database = db) {
      await trx.updateTable('users').set({ email: c.email, phone: c.phone }).where('id', '=', id).execute();
    },
    async insertUser(u: Omit<User, 'active' | 'createdAt'> & { passwordHash: string }, trx: Database = db) {
      await trx
        .insertInto('users')
        .values({
          id: u.id,
          login: u.login,
          display_name: u.displayName,
          role: u.role,
          region_id: u.regionId,
          court_id: u.courtId,
          password_hash: u.passwordHash,
        })
        .execute();
    },
    async userByLogin(login: string) {
      const r = await db
        .selectFrom('users')
        .select([...USER_COLUMNS, 'password_hash'])
        .where('login', '=', login)
        .executeTakeFirst();
      return r && { user: toUser(r), passwordHash: r.password_hash };
    },
    async userById(id: string): Promise<User | undefined> {
      const r = await db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
      return r && toUser(r);
    },
    /** Users with their contacts, by login (the Bureau's list); one user when `id` is given. */
    async managedUsers(id?: string): Promise<ManagedUser[]> {
      let q = db
        .selectFrom('users')
        .select([...USER_COLUMNS, 'email', 'phone'])
        .orderBy('login');
      if (id !== undefined) q = q.where('id', '=', id);
      return (await q.execute()).map((r) => ({ ...toUser(r), email: r.email, phone: r.phone }));
    },
    /**
     * The ids of the active Bureau administrators, their rows locked until the transaction ends: two
     * administrators deactivating each other at once must not both see the other one still active.
     */
    async lockActiveAdmins(trx: Database): Promise<string[]> {
      const rows = await trx
        .selectFrom('users')
        .select('id')
        .where('role', '=', 'bureau_admin')
        .where('active', '=', true)
        .forUpdate()
        .execute();
      return rows.map((r) => r.id);
    },
    async listUsers(filter: { role?: UserRole; regionId?: string }): Promise<User[]> {
      let q = db.selectFrom('users').select(USER_COLUMNS).orderBy('login');
      if (filter.role) q = q.where('role', '=', filter.role);
      if (filter.regionId) q = q.where('region_id', '=', filter.regionId);
      return (await q.execute()).map(toUser);
    },
    async updateUser(
      id: string,
      patch: {
        active?: boolean;
        passwordHash?: string;
        displayName?: string;
        role?: UserRole;
        regionId?: string | null;
        courtId?: string | null;
        email?: string | null;
        phone?: string | null;
      },
      trx: Database = db,
    ) {
      await trx
        .updateTable('users')
        .set({
          ...(patch.role !== undefined ? { role: patch.role } : {}),
          ...(patch.regionId !== undefined ? { region_id: patch.regionId } : {}),
          ...(patch.courtId !== undefined ? { court_id: patch.courtId } : {}),
          ...(patch.active !== undefined ? { active: patch.active } : {}),
          ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
          ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
          ...(patch.email !== undefined ? { email: patch.email } : {}),
          ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
        })
        .where('id', '=', id)
        .execute();
    },
    async countUsers(): Promise<number> {
      const r = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async insertSession(s: { tokenHash: string; userId: string; expiresAt: Date; terminal: string }) {
      await db
        .insertInto('sessions')
        .values({
          token_hash: s.tokenHash,
          user_id: s.userId,
          expires_at: s.expiresAt,
          last_seen_at: new Date(),
          terminal: s.terminal,
        })
        .execute();
    },
    async sessionByHash(tokenHash: string) {
      return db
        .selectFrom('sessions')
        .select(['token_hash', 'user_id', 'last_seen_at', 'expires_at'])
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
    },
    async touchSession(tokenHash: string, at: Date) {
      await db
        .updateTable('sessions')
        .set({ last_seen_at: at })
        .where('token_hash', '=', tokenHash)
        .execute();
    },
    async deleteSession(tokenHash: string) {
      await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    },
    async deleteSessionsOf(userId: string, trx: Database = db) {
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    },

    async upsertRegion(r: { id: string; name: string }, trx: Database = db) {
      await trx
        .insertInto('regions')
        .values(r)
        .onConflict((oc) => oc.column('id').doUpdateSet({ name: r.name }))
        .execute();
    },
    async upsertCourt(c: { id: string; name: string; regionId: string }, trx: Database = db) {
      await trx
        .insertInto('courts')
        .values({ id: c.id, name: c.name, region_id: c.regionId })
        .onConflict((oc) => oc.column('id').doUpdateSet({ name: c.name, region_id: c.regionId }))
        .execute();
    },
    async regions() {
      return db.selectFrom('regions').selectAll().orderBy('id').execute();
    },
    async courts() {
      return (await db.selectFrom('courts').selectAll().orderBy('id').execute()).map((c) => ({
        id: c.id,
        name: c.name,
        regionId: c.region_id,
      }));
    },
  };
}

export type IdentityRepository = ReturnType<typeof createIdentityRepository>;
