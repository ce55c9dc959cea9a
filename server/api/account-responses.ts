// The response schemas of the account routes: centres and users (admin-routes.ts), login and the
// session (auth-routes.ts), login locks (login-lock-routes.ts). What a route sends is what its schema
// declares; each schema is bound to its wire type in server/protocol/ by `exactly<T>()`
// (exact-schema.ts), so the two cannot drift apart.
import { z } from 'zod';
import type { CentreResponse, CentresResponse, CentreView } from '../protocol/assurance.js';
import type { LockLiftedResponse, LoginLocksResponse, LoginLockView } from '../protocol/login-locks.js';
import { LOGIN_LOCK_KINDS } from '../protocol/login-locks.js';
import {
  ROLES,
  type AuthStatusResponse,
  type NewUserResponse,
  type PasswordResetResponse,
  type SessionInfo,
  type SessionUser,
  type UserAccount,
  type UserResponse,
  type UsersResponse,
} from '../protocol/roles.js';
import { OVERRUN_POLICIES, RELEASE_RULES } from '../protocol/sitting-states.js';
import { exactly } from './exact-schema.js';

export const centreView = exactly<CentreView>()(
  z.object({
    id: z.number(),
    name: z.string(),
    isDemo: z.boolean(),
    centreNumber: z.string().nullable(),
    releaseRule: z.enum(RELEASE_RULES),
    maxRetakes: z.number(),
    overrunPolicy: z.enum(OVERRUN_POLICIES),
    appealWindowDays: z.number(),
  }),
);

export const centresResponse = exactly<CentresResponse>()(z.object({ centres: z.array(centreView) }));
export const centreResponse = exactly<CentreResponse>()(z.object({ centre: centreView }));

const sessionUser = exactly<SessionUser>()(
  z.object({
    id: z.number(),
    username: z.string(),
    displayName: z.string(),
    role: z.enum(ROLES),
    centreId: z.number().nullable(),
    centreName: z.string().nullable(),
    centreIsDemo: z.boolean(),
    mustChangePassword: z.boolean(),
  }),
);

/** The account as the user list sends it: what the session says of its user, and the account's own settings. */
export const userAccount = exactly<UserAccount>()(
  sessionUser.pick({ id: true, username: true, displayName: true, role: true, centreId: true, mustChangePassword: true }).extend({
    extension: z.string(),
    candidateNumber: z.string().nullable(),
    disabled: z.boolean(),
    createdAt: z.number(),
    updatedAt: z.number(),
  }),
);

export const usersResponse = exactly<UsersResponse>()(z.object({ users: z.array(userAccount) }));
export const userResponse = exactly<UserResponse>()(z.object({ user: userAccount }));
export const newUserResponse = exactly<NewUserResponse>()(userResponse.extend({ password: z.string().optional() }));
export const passwordResetResponse = exactly<PasswordResetResponse>()(z.object({ ok: z.literal(true), password: z.string().optional() }));

export const sessionInfo = exactly<SessionInfo>()(z.object({ user: sessionUser, csrfToken: z.string(), expiresAt: z.number() }));
export const authStatusResponse = exactly<AuthStatusResponse>()(z.object({ session: sessionInfo.nullable() }));

const loginLockView = exactly<LoginLockView>()(
  z.object({
    kind: z.enum(LOGIN_LOCK_KINDS),
    subject: z.string(),
    failures: z.number(),
    lockedUntil: z.number(),
    userId: z.number().nullable(),
    displayName: z.string().nullable(),
  }),
);

export const loginLocks = exactly<LoginLocksResponse>()(z.object({ locks: z.array(loginLockView) }));
export const lockLiftedResponse = exactly<LockLiftedResponse>()(z.object({ lifted: z.literal(true) }));
