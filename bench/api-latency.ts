// API latency of the heaviest pages with a realistic database: one centre with 200 candidates and
// 2,000 attempts (each with its own copy of a scenario's CRM data and 40 desktop events), 50 of them
// in sittings marked through the API. The production server runs as a child process on that
// database; each page's requests are made in sequence, as the page makes them, N times.
//
//   npm run bench:api -- [--candidates 200] [--attempts-per-candidate 10] [--repeat 50]
import { createRepositories } from '../server/db/repositories/index.js';
import { openDatabase, closeDatabase } from '../server/db/connection.js';
import path from 'node:path';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { startServer } from '../tests/support/server-process.js';
import { loginFirstStartAdminAt } from './admin-api.js';
import { percentile } from './proc-stats.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const candidates = opt('--candidates', 200);
const perCandidate = opt('--attempts-per-candidate', 10);
const repeat = opt('--repeat', 50);
const sittingsToMark = Math.min(50, candidates);
const EVENTS_PER_ATTEMPT = 40;
const SCENARIOS = ['s1', 's2', 's3', 's4', 's5', 's6'];

const server = await startServer({
  env: { CALLMARK_ADMIN_PASSWORD: 'bench-admin-password', CALLMARK_LOG_LEVEL: 'error', CALLMARK_LOGIN_RATE_LIMIT: '100000', CALLMARK_API_RATE_LIMIT: '10000000', CALLMARK_MEDIA_WORKERS: '1' },
});
// A benchmark that fails half-way must not leave its server running.
process.on('exit', () => {
  try {
    process.kill(-server.child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
});
const base = server.url;
type Session = { cookie: string; csrf: string };
async function request<T>(s: Session | null, method: string, url: string, body?: unknown): Promise<{ status: number; json: T; bytes: number }> {
  const res = await fetch(new URL(url, base), {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* CSV, PDF */
  }
  return { status: res.status, json: json as T, bytes: text.length };
}
async function login(username: string, password: string): Promise<Session> {
  const res = await fetch(new URL('/api/auth/login', base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const body = (await res.json()) as { csrfToken: string };
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(body)}`);
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: body.csrfToken };
}

const t0 = performance.now();
const admin = await loginFirstStartAdminAt(base, 'bench-admin-password');
const centre = (await request<{ centre: { id: number } }>(admin, 'POST', '/api/centres', { name: 'Latency bench centre' })).json.centre;
await request(admin, 'POST', '/api/users', { username: 'bench-assessor', displayName: 'Bench Assessor', role: 'assessor', centreId: centre.id, password: 'bench-user-password' });
const assessor = await login('bench-assessor', 'bench-user-password');
const candidateIds: number[] = [];
for (let i = 0; i < candidates; i++) {
  const u = await request<{ user: { id: number } }>(admin, 'POST', '/api/users', { username: `cand-${i}`, displayName: `Candidate ${i}`, role: 'candidate', centreId: centre.id, password: 'bench-user-password' });
  candidateIds.push(u.json.user.id);
}
// Sittings first (a sitting needs its candidate without another open attempt), marked to 8/12 each.
const sittingIds: string[] = [];
const markedAttemptIds: string[] = [];
for (let i = 0; i < sittingsToMark; i++) {
  const sitting = (await request<{ id: string }>(assessor, 'POST', '/api/sittings', { candidateUserId: candidateIds[i], scenarioKeys: ['s1', 's4', 's5', 's2'] })).json;
  sittingIds.push(sitting.id);
  // Before the start: the identity check and the candidate's declaration (issue 13).
  await request(assessor, 'POST', `/api/sittings/${sitting.id}/identity-check`, { documentType: 'passport' });
  await request(await login(`cand-${i}`, 'bench-user-password'), 'POST', `/api/sittings/${sitting.id}/declarations`, { moment: 'start', confirm: true });
  await request(assessor, 'POST', `/api/sittings/${sitting.id}/start`);
  for (let n = 1; n <= 4; n++) {
    const detail = (await request<{ currentAttemptId: string }>(assessor, 'POST', `/api/sittings/${sitting.id}/assignments/${n}/attempts`)).json;
    const attemptId = detail.currentAttemptId;
    markedAttemptIds.push(attemptId);
    const view = (await request<{ criteria: Array<{ criterionId: string; maxMarks: number }> }>(assessor, 'GET', `/api/attempts/${attemptId}/marking`)).json;
    let left = 8;
    const marks = view.criteria.map((c) => {
      const mark = Math.min(c.maxMarks, left);
      left -= mark;
      return { criterionId: c.criterionId, mark, comment: 'Bench comment.', overrideReason: 'Bench override.' };
    });
    await request(assessor, 'PUT', `/api/attempts/${attemptId}/marks`, { marks, final: true });
    await request(assessor, 'POST', `/api/attempts/${attemptId}/close`).catch(() => undefined);
  }
  await request(assessor, 'POST', `/api/sittings/${sitting.id}/end`);
}
// Practice attempts up to the total, each on a scenario's CRM copy.
const practiceIds: string[] = [];
const total = Math.max(1, candidates * perCandidate - markedAttemptIds.length);
for (let i = 0; i < total; i++) {
  const a = await request<{ attempt: { id: string } }>(assessor, 'POST', '/api/attempts', { candidateUserId: candidateIds[i % candidates], scenarioKey: SCENARIOS[i % SCENARIOS.length] });
  practiceIds.push(a.json.attempt.id);
}
// Desktop events through the repository (the hash chain included), as the realtime server stores them.
{
  const db = openDatabase(path.join(server.dataDir, 'callmark.sqlite'));
  const repos = createRepositories(db);
  const now = Date.now();
  for (const attemptId of [...markedAttemptIds, ...practiceIds]) {
    repos.transaction(() => {
      for (let e = 0; e < EVENTS_PER_ATTEMPT; e++) {
        repos.attemptEvents.append(attemptId, randomUUID(), {
          at: now + e * 1000,
          clientAt: now + e * 1000,
          callId: null,
          offsetMs: e * 1000,
          type: e % 5 === 0 ? 'field-changed' : e % 5 === 1 ? 'search' : e % 5 === 2 ? 'record-opened' : e % 5 === 3 ? 'note-added' : 'agent-state',
          payload: e % 5 === 0 ? { record: 'customer', field: 'postcode', old: 'LS6 3AB', new: 'LS19 6EH' } : { query: 'Hughes', resultCount: 1 },
          source: e % 5 === 1 || e % 5 === 2 ? 'browser' : 'server',
        });
      }
    });
  }
  closeDatabase(db);
}
const seeded = (performance.now() - t0) / 1000;
const dbBytes = fs.statSync(path.join(server.dataDir, 'callmark.sqlite')).size + (fs.existsSync(path.join(server.dataDir, 'callmark.sqlite-wal')) ? fs.statSync(path.join(server.dataDir, 'callmark.sqlite-wal')).size : 0);

// The pages. The candidate of the last practice attempt has it open (its newest open attempt).
const lastCandidate = candidateIds[(total - 1) % candidates]!;
const candidateName = `cand-${candidateIds.indexOf(lastCandidate)}`;
const candidate = await login(candidateName, 'bench-user-password');
const desktopAttempt = practiceIds[practiceIds.length - 1]!;
const customers = (await request<{ customers: Array<{ id: number }> }>(candidate, 'GET', `/api/attempts/${desktopAttempt}/customers?q=Hu`)).json.customers;
const customerId = customers[0]?.id;

const pages: Array<{ name: string; run: () => Promise<number> }> = [
  {
    name: 'desktop load (current attempt, search, record, inbox)',
    run: async () => {
      let bytes = 0;
      bytes += (await request(candidate, 'GET', '/api/attempts/current')).bytes;
      bytes += (await request(candidate, 'GET', `/api/attempts/${desktopAttempt}/customers?q=Hughes`)).bytes;
      if (customerId) bytes += (await request(candidate, 'GET', `/api/attempts/${desktopAttempt}/customers/${customerId}`)).bytes;
      bytes += (await request(candidate, 'GET', `/api/attempts/${desktopAttempt}/messages`)).bytes;
      return bytes;
    },
  },
  { name: 'sittings list (assessor, centre)', run: async () => (await request(assessor, 'GET', '/api/sittings')).bytes },
  { name: 'sitting detail with result', run: async () => (await request(assessor, 'GET', `/api/sittings/${sittingIds[0]}`)).bytes },
  { name: 'marking view with suggestions', run: async () => (await request(assessor, 'GET', `/api/attempts/${markedAttemptIds[0]}/marking`)).bytes },
  { name: 'results CSV (whole centre)', run: async () => (await request(assessor, 'GET', '/api/results.csv')).bytes },
  { name: 'mark sheet PDF', run: async () => (await request(assessor, 'GET', `/api/sittings/${sittingIds[0]}/mark-sheet.pdf`)).bytes },
  { name: 'attempt metrics (replay side panel)', run: async () => (await request(assessor, 'GET', `/api/attempts/${markedAttemptIds[0]}/metrics`)).bytes },
];
// The replay page's own route, when the moderation replay is built.
const replay = await fetch(new URL(`/api/attempts/${markedAttemptIds[0]}/replay`, base), { headers: { cookie: assessor.cookie } });
if (replay.status !== 404) pages.push({ name: 'replay page data', run: async () => (await request(assessor, 'GET', `/api/attempts/${markedAttemptIds[0]}/replay`)).bytes });

console.log(`API latency: ${candidates} candidates, ${markedAttemptIds.length + practiceIds.length} attempts (${sittingIds.length} marked sittings), ${EVENTS_PER_ATTEMPT} events each; database ${(dbBytes / 2 ** 20).toFixed(0)} MB; seeded in ${seeded.toFixed(0)} s; ${repeat} runs per page`);
console.log('page | p50 | p95 | response KB');
for (const page of pages) {
  await page.run(); // warm-up
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < repeat; i++) {
    const s = performance.now();
    bytes = await page.run();
    times.push(performance.now() - s);
  }
  console.log(`${page.name} | ${percentile(times, 50).toFixed(1)} ms | ${percentile(times, 95).toFixed(1)} ms | ${(bytes / 1024).toFixed(1)}`);
}
await server.stop();
fs.rmSync(server.dataDir, { recursive: true, force: true });
process.exit(0);
