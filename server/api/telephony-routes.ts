// Telephony API: SIP credentials bound to the login session, the centre's phone directory, call
// records with their timeline, and recording playback (HTTP Range, so the browser can seek).
// Candidates see their own calls but never any recording; assessors see their centre's calls;
// moderators and admins see all.
import { createHmac } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireSession } from '../auth/access.js';
import type { Repositories } from '../db/repositories/index.js';
import type { CallRecord } from '../db/repositories/calls.js';
import { HttpError } from '../http/errors.js';
import { openStoredFile } from '../http/stored-file.js';
import type { SessionUser } from '../protocol/roles.js';
import { registerZodRoutes, type ZodScope } from './input.js';
import { callDetail, callsResponse, directoryResponse, sipCredentials } from './telephony-responses.js';
import type { CallSummary, DirectoryEntry, SipCredentials } from '../protocol/telephony.js';
import { callPolicy } from '../sip/call-policy.js';
import { callParties } from './call-parties.js';
import { computeHa1 } from '../sip/digest.js';
import type { Registrar } from '../sip/registrar.js';

export interface TelephonyRouteOptions {
  repos: Repositories;
  registrar: Registrar;
  domain: string;
  iceServers: SipCredentials['iceServers'];
  recordingsDir: string;
  noAnswerTimeoutMs: number;
  /** Secret from which each login session's SIP password is derived (stable across tabs and restarts). */
  sipSecret: Buffer;
}

const PHONE_ROLES = ['candidate', 'assessor'] as const;
const callIdParams = z.object({ id: z.string().regex(/^[0-9a-f-]{36}$/, 'must be a call id') });

function canSeeCall(user: SessionUser, call: CallRecord): boolean {
  if (user.role === 'admin' || user.role === 'moderator') return true;
  // The centre's internal quality assurer hears its recordings to review the marking (issue 13).
  if (user.role === 'assessor' || user.role === 'iqa') return call.centreId !== null && call.centreId === user.centreId;
  return call.callerUserId === user.id || call.calleeUserId === user.id;
}

function canHearRecording(user: SessionUser, call: CallRecord): boolean {
  return user.role !== 'candidate' && canSeeCall(user, call);
}

export function registerTelephonyRoutes(app: FastifyInstance, opts: TelephonyRouteOptions): void {
  registerZodRoutes(app, (scope) => registerTelephonyScope(scope, opts));
}

function registerTelephonyScope(app: ZodScope, opts: TelephonyRouteOptions): void {
  const { repos } = opts;

  const summarise = (c: CallRecord, user: SessionUser): CallSummary => {
    const caller = c.callerUserId ? repos.users.findById(c.callerUserId) : undefined;
    const callee = c.calleeUserId ? repos.users.findById(c.calleeUserId) : undefined;
    const recording = canHearRecording(user, c) && c.recordingPath && c.recordingStatus !== 'recording'
      ? { status: c.recordingStatus, durationMs: c.recordingDurationMs, sha256: c.recordingSha256, bytes: c.recordingBytes, url: `/api/calls/${c.id}/recording` }
      : null;
    return {
      id: c.id,
      recordingProblem: recordingProblemOf(c, user),
      ...callParties(c, { caller, callee }, repos.calls.events(c.id)),
      candidateUserId: c.candidateUserId,
      state: c.state,
      invitedAt: c.invitedAt,
      ringingAt: c.ringingAt,
      answeredAt: c.answeredAt,
      endedAt: c.endedAt,
      endReason: c.endReason,
      sipStatus: c.sipStatus,
      recording,
    };
  };

  // The last recording failure of a call, said so that an assessor can act on it during the call.
  const recordingProblemOf = (c: CallRecord, user: SessionUser): string | null => {
    if (user.role === 'candidate' || (c.recordingStatus !== 'failed' && c.recordingStatus !== 'partial')) return null;
    const failure = repos.calls.events(c.id).filter((e) => e.type === 'recording-failed').pop();
    const message = typeof failure?.detail?.message === 'string' ? failure.detail.message : null;
    if (c.recordingStatus === 'partial') return message ?? 'The recording is incomplete: the server stopped during the call.';
    const why = message && /ENOSPC/.test(message) ? 'the recordings disk is full' : (message ?? 'unknown reason');
    return `Recording failed (${why}). The call goes on, but from that moment it is not recorded.`;
  };

  const loadCall = (request: FastifyRequest, id: string): { call: CallRecord; user: SessionUser } => {
    const user = requireSession(request).user;
    const call = repos.calls.find(id);
    // An unknown id and someone else's call look the same, so ids cannot be probed.
    if (!call || !canSeeCall(user, call)) throw new HttpError(404, 'not_found', 'There is no such call.');
    return { call, user };
  };

  app.post('/api/sip/credentials', { config: { access: PHONE_ROLES }, schema: { response: { 200: sipCredentials } } }, async (request) => {
    const session = requireSession(request);
    const user = repos.users.findById(session.user.id)!;
    // One password per login session, the same for every tab (a second tab must not lock out the
    // first), derived rather than stored; it stops working when the session ends.
    const password = createHmac('sha256', opts.sipSecret).update(session.tokenHash).digest('base64url').slice(0, 24);
    repos.sessions.setSipHa1(
      session.tokenHash,
      computeHa1('MD5', user.extension, opts.domain, password),
      computeHa1('SHA-256', user.extension, opts.domain, password),
    );
    const body: SipCredentials = {
      extension: user.extension,
      uri: `sip:${user.extension}@${opts.domain}`,
      authorizationUsername: user.extension,
      password,
      displayName: user.displayName,
      realm: opts.domain,
      wsPath: '/sip',
      iceServers: opts.iceServers,
      noAnswerTimeoutMs: opts.noAnswerTimeoutMs,
    };
    return body;
  });

  // Staff see the centre's phones. A candidate sees no other candidate (peers are not a phone
  // book for an assessment), and only the staff the call policy lets them reach: in a sitting, their
  // assessor (server/sip/call-policy.ts). Presence is given for exactly those.
  const mayCall = callPolicy(repos);
  app.get('/api/directory', { config: { access: PHONE_ROLES }, schema: { response: { 200: directoryResponse } } }, async (request) => {
    const me = requireSession(request).user;
    const entries: DirectoryEntry[] = repos.users
      .list({ centreId: me.centreId ?? -1 })
      .filter((u) => u.id !== me.id && !u.disabled && (u.role === 'candidate' || u.role === 'assessor'))
      .filter((u) => me.role !== 'candidate' || (u.role !== 'candidate' && mayCall(me, u).allowed))
      .map((u) => ({ userId: u.id, displayName: u.displayName, role: u.role, extension: u.extension, registered: opts.registrar.isRegistered(u.extension) }));
    return { entries };
  });

  app.get(
    '/api/calls',
    {
      config: { access: ['candidate', 'assessor', 'moderator', 'admin'] },
      schema: {
        querystring: z.object({ limit: z.string().regex(/^[1-9][0-9]{0,3}$/, 'must be a number from 1 to 9999').optional() }).strict(),
        response: { 200: callsResponse },
      },
    },
    async (request) => {
      const user = requireSession(request).user;
      const limit = Number(request.query.limit ?? 100);
      const list =
        user.role === 'candidate'
          ? repos.calls.list({ userId: user.id, limit })
          : user.role === 'assessor'
            ? repos.calls.list({ centreId: user.centreId ?? -1, limit })
            : repos.calls.list({ limit });
      return { calls: list.map((c) => summarise(c, user)) };
    },
  );

  app.get(
    '/api/calls/:id',
    { config: { access: ['candidate', 'assessor', 'moderator', 'admin'] }, schema: { params: callIdParams, response: { 200: callDetail } } },
    async (request) => {
      const { call, user } = loadCall(request, request.params.id);
      const events = repos.calls.events(call.id);
      // Hold intervals from the timeline: a hold and the resume (or end) that follows it.
      const holds: Array<{ start: number; end: number | null; by: string | null }> = [];
      for (const e of events) {
        if (e.type === 'hold') holds.push({ start: e.at, end: null, by: e.leg });
        else if ((e.type === 'resume' || e.type === 'end') && holds.length && holds[holds.length - 1]!.end === null) holds[holds.length - 1]!.end = e.at;
      }
      return { call: summarise(call, user), events, holds };
    },
  );

  app.get(
    '/api/calls/:id/recording',
    { config: { access: ['assessor', 'moderator', 'admin', 'iqa'], sendsFile: 'audio/ogg' }, schema: { params: callIdParams } },
    async (request, reply) => {
      const { call, user } = loadCall(request, request.params.id);
      if (!canHearRecording(user, call) || !call.recordingPath) throw new HttpError(404, 'not_found', 'This call has no recording.');
      if (call.recordingStatus === 'recording') throw new HttpError(409, 'in_progress', 'The call is still being recorded.');
      const root = path.resolve(opts.recordingsDir);
      const file = path.resolve(call.recordingPath);
      if (!file.startsWith(root + path.sep)) throw new HttpError(404, 'not_found', 'This call has no recording.');
      const body = await openStoredFile(request, reply, { root, relative: path.relative(root, file) }, { what: 'recording', none: 'This call has no recording.' });
      reply.header('content-type', 'audio/ogg');
      reply.header('cache-control', 'private, no-store');
      return reply.send(body);
    },
  );
}
