// Wire types shared by the server and the client (the client may import server/protocol only).
export const ROLES = ['admin', 'candidate', 'assessor', 'moderator', 'iqa'] as const;
export type Role = (typeof ROLES)[number];

/** Where each role lands after login. */
export const ROLE_HOME: Record<Role, string> = {
  admin: '/admin/users',
  candidate: '/desktop',
  assessor: '/console',
  moderator: '/moderation',
  iqa: '/iqa',
};

export const ROLE_LABEL: Record<Role, string> = {
  admin: 'Administrator',
  candidate: 'Candidate',
  assessor: 'Centre assessor',
  moderator: 'Moderator',
  iqa: 'Internal quality assurer',
};

/** Roles that must belong to a centre (the internal quality assurer checks one centre's marking). */
export const CENTRE_ROLES: readonly Role[] = ['candidate', 'assessor', 'iqa'];

export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  centreId: number | null;
  centreName: string | null;
  centreIsDemo: boolean;
  /** The password is one an administrator set: nothing but changing it (or logging out) is allowed until it is changed. */
  mustChangePassword: boolean;
}

/** A user account as the administrator's user list sends it (GET /api/users): who the session says they are, and the account's own settings. */
export interface UserAccount extends Pick<SessionUser, 'id' | 'username' | 'displayName' | 'role' | 'centreId' | 'mustChangePassword'> {
  extension: string;
  /** The candidate's number within the centre (candidates only; null until the admin gives one). */
  candidateNumber: string | null;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** The user list (GET /api/users). */
export interface UsersResponse {
  users: UserAccount[];
}

/** One account as saved (disabling or enabling it, giving a candidate's number). */
export interface UserResponse {
  user: UserAccount;
}

/** A new account (POST /api/users), with the password the server generated when the administrator chose none. */
export interface NewUserResponse extends UserResponse {
  password?: string;
}

/** A password reset (POST /api/users/:id/password), with the password the server generated when the administrator chose none. */
export interface PasswordResetResponse {
  ok: true;
  password?: string;
}

export interface SessionInfo {
  user: SessionUser;
  csrfToken: string;
  expiresAt: number;
}

/** Who is logged in (GET /api/auth/status): null when nobody is. */
export interface AuthStatusResponse {
  session: SessionInfo | null;
}

export interface ApiError {
  error: string;
  message: string;
  field?: string;
}
