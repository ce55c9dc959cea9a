// Login locks (GET /api/login-locks, POST /api/login-locks/lift; admins only): accounts and client
// addresses locked after too many failed logins (server/auth/login-throttle.ts).
export const LOGIN_LOCK_KINDS = ['account', 'address'] as const;
export type LoginLockKind = (typeof LOGIN_LOCK_KINDS)[number];

export interface LoginLock {
  kind: LoginLockKind;
  /** The username as typed (lower-cased), or the client address (an IPv6 network as <prefix>/64). */
  subject: string;
  /** Failed logins counted against it. */
  failures: number;
  /** Epoch ms when the lock ends by itself. */
  lockedUntil: number;
}

export interface LoginLockView extends LoginLock {
  /** For an account lock: the user with that username, when there is one. */
  userId: number | null;
  displayName: string | null;
}

export interface LoginLocksResponse {
  locks: LoginLockView[];
}

/** A lock lifted (POST /api/login-locks/lift). */
export interface LockLiftedResponse {
  lifted: true;
}
