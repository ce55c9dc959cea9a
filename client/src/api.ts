// The client's one way to talk to the API: JSON in and out, the CSRF token on every state-changing
// request, and errors turned into ApiFailure with the server's message and field.
import type { ApiError, AuthStatusResponse, SessionInfo } from '../../server/protocol/roles.js';

let csrfToken: string | undefined;

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Every bad field with its message (a 400 that names them all: { fields: { path: message } }). */
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(url, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as unknown;
  if (!res.ok) throw failure(res.status, data);
  return data as T;
}

/** The server's error body as an ApiFailure. */
function failure(status: number, data: unknown): ApiFailure {
  const err = data as Partial<ApiError> & { fields?: unknown };
  const fields =
    err.fields && typeof err.fields === 'object' && !Array.isArray(err.fields)
      ? Object.fromEntries(Object.entries(err.fields as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'))
      : undefined;
  return new ApiFailure(status, err.error ?? 'error', err.message ?? `Request failed (${status})`, err.field, fields);
}

/**
 * Like `api` for what is not JSON both ways: the body is JSON or a file (sent as `contentType`),
 * and the answer is read as a Blob (`as: 'blob'`, e.g. a zip) or as JSON. Errors are ApiFailure.
 */
export async function apiBlob(method: 'POST' | 'PUT', url: string, body: { json: unknown } | { file: Blob; contentType: string }, as: 'blob'): Promise<Blob>;
export async function apiBlob<T>(method: 'POST' | 'PUT', url: string, body: { json: unknown } | { file: Blob; contentType: string }, as: 'json'): Promise<T>;
export async function apiBlob(method: 'POST' | 'PUT', url: string, body: { json: unknown } | { file: Blob; contentType: string }, as: 'blob' | 'json'): Promise<unknown> {
  const headers: Record<string, string> = { accept: as === 'blob' ? '*/*' : 'application/json' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  headers['content-type'] = 'file' in body ? body.contentType : 'application/json';
  const res = await fetch(url, { method, headers, credentials: 'same-origin', body: 'file' in body ? body.file : JSON.stringify(body.json) });
  if (!res.ok) throw failure(res.status, await res.json().catch(() => ({})));
  return as === 'blob' ? res.blob() : (res.json() as Promise<unknown>);
}

export async function fetchSession(): Promise<SessionInfo | undefined> {
  const { session } = await api<AuthStatusResponse>('GET', '/api/auth/status');
  csrfToken = session?.csrfToken;
  return session ?? undefined;
}

export async function login(username: string, password: string): Promise<SessionInfo> {
  const s = await api<SessionInfo>('POST', '/api/auth/login', { username, password });
  csrfToken = s.csrfToken;
  return s;
}

export async function logout(): Promise<void> {
  await api<void>('POST', '/api/auth/logout');
  csrfToken = undefined;
}

/** Changes the logged-in user's own password; the session goes on (the account's other sessions end). */
export async function changePassword(currentPassword: string, newPassword: string): Promise<SessionInfo> {
  const s = await api<SessionInfo>('POST', '/api/auth/password', { currentPassword, newPassword });
  csrfToken = s.csrfToken;
  return s;
}
