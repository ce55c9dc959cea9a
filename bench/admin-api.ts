// The few JSON API calls the SIP benchmarks make to set up their users (log in, create a centre
// and users, fetch SIP credentials), with each reply checked against the shape it must have.
import { z } from 'zod';
import { loginChoosingOwnPassword, loginFirstStartAdmin } from '../tests/support/server-process.js';

export const CentreReply = z.object({ centre: z.object({ id: z.number() }) });
export const SipCredentialsReply = z.object({ extension: z.string(), password: z.string() });

export interface ApiSession {
  cookie: string;
  csrf: string;
}

/** The reply's JSON body, or an error naming the status and the body when it is not 2xx. */
async function jsonOf(res: Response): Promise<unknown> {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

/** The first-start admin's session, once it has made the password change its first login requires. */
export async function loginFirstStartAdminAt(base: string, password: string): Promise<ApiSession> {
  const { cookie, csrfToken } = await loginFirstStartAdmin(base, password);
  return { cookie, csrf: csrfToken };
}

/** `username`'s session; a user an admin created first replaces the password it was given, as its first login requires. */
export async function loginAs(base: string, username: string, password: string): Promise<ApiSession> {
  const { cookie, csrfToken } = await loginChoosingOwnPassword(base, username, password);
  return { cookie, csrf: csrfToken };
}

/** POSTs `body` as `session` and returns the reply parsed with `reply`. */
export async function post<T>(base: string, session: ApiSession, url: string, body: unknown, reply: z.ZodType<T>): Promise<T> {
  const res = await fetch(new URL(url, base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf },
    body: JSON.stringify(body),
  });
  return reply.parse(await jsonOf(res));
}
