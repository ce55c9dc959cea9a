// Wire types shared by the server and the client (the client may import server/protocol only).
export const ROLES = ['admin', 'candidate', 'assessor', 'moderator'] as const;
export type Role = (typeof ROLES)[number];

/** Where each role lands after login. */
export const ROLE_HOME: Record<Role, string> = {
  admin: '/admin/users',
  candidate: '/desktop',
  assessor: '/console',
  moderator: '/moderation',
};

export const ROLE_LABEL: Record<Role, string> = {
  admin: 'Administrator',
  candidate: 'Candidate',
  assessor: 'Centre assessor',
  moderator: 'Moderator',
};

/** Roles that must belong to a centre. */
export const CENTRE_ROLES: readonly Role[] = ['candidate', 'assessor'];

export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  centreId: number | null;
  centreName: string | null;
  centreIsDemo: boolean;
}

export interface SessionInfo {
  user: SessionUser;
  csrfToken: string;
  expiresAt: number;
}

export interface ApiError {
  error: string;
  message: string;
  field?: string;
}
