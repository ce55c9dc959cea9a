// The response schemas of the telephony routes (telephony-routes.ts): the phone's SIP credentials,
// the directory, the call list and one call with its timeline. What a route sends is what its schema declares; each schema is
// bound to its wire type in server/protocol/telephony.ts by `exactly<T>()` (exact-schema.ts), so the
// two cannot drift apart.
import { z } from 'zod';
import { ROLES } from '../protocol/roles.js';
import type { CallDetail, CallEventView, CallHold, CallParty, CallsResponse, CallSummary, DirectoryEntry, DirectoryResponse, IceServer, SipCredentials } from '../protocol/telephony.js';
import { exactly } from './exact-schema.js';

const iceServer = exactly<IceServer>()(z.object({ urls: z.union([z.string(), z.array(z.string())]), username: z.string().optional(), credential: z.string().optional() }));

export const sipCredentials = exactly<SipCredentials>()(
  z.object({
    extension: z.string(),
    uri: z.string(),
    authorizationUsername: z.string(),
    password: z.string(),
    displayName: z.string(),
    realm: z.string(),
    wsPath: z.string(),
    iceServers: z.array(iceServer),
    noAnswerTimeoutMs: z.number(),
  }),
);

export const directoryEntry = exactly<DirectoryEntry>()(
  z.object({ userId: z.number(), displayName: z.string(), role: z.enum(ROLES), extension: z.string(), registered: z.boolean() }),
);
export const directoryResponse = exactly<DirectoryResponse>()(z.object({ entries: z.array(directoryEntry) }));

const party = exactly<CallParty>()(z.object({ extension: z.string(), displayName: z.string(), shownAs: z.string() }));

export const callSummary = exactly<CallSummary>()(
  z.object({
    id: z.string(),
    invitedAt: z.number(),
    ringingAt: z.number().nullable(),
    answeredAt: z.number().nullable(),
    endedAt: z.number().nullable(),
    endReason: z.string().nullable(),
    caller: party,
    callee: party,
    candidateUserId: z.number().nullable(),
    state: z.enum(['setup', 'ringing', 'answered', 'ended', 'interrupted']),
    sipStatus: z.number().nullable(),
    recording: z
      .object({ status: z.string().nullable(), durationMs: z.number().nullable(), sha256: z.string().nullable(), bytes: z.number().nullable(), url: z.string() })
      .nullable(),
    recordingProblem: z.string().nullable(),
  }),
);
export const callsResponse = exactly<CallsResponse>()(z.object({ calls: z.array(callSummary) }));

const callEvent = exactly<CallEventView>()(
  z.object({
    id: z.number(),
    callId: z.string(),
    at: z.number(),
    type: z.string(),
    leg: z.enum(['caller', 'callee']).nullable(),
    // Free-form on purpose: each event type records its own facts (a SIP status, a transfer's
    // target, a hold's reason), written by the B2BUA as it happened and read back unchanged.
    detail: z.record(z.unknown()).nullable(),
  }),
);

const callHold = exactly<CallHold>()(z.object({ start: z.number(), end: z.number().nullable(), by: z.string().nullable() }));

export const callDetail = exactly<CallDetail>()(z.object({ call: callSummary, events: z.array(callEvent), holds: z.array(callHold) }));
