// Wire types of the telephony API, shared with the client.
import type { Role } from './roles.js';

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface SipCredentials {
  extension: string;
  uri: string;
  authorizationUsername: string;
  password: string;
  displayName: string;
  realm: string;
  /** Path of the SIP WebSocket on this server (same host and port as the page). */
  wsPath: string;
  iceServers: IceServer[];
  noAnswerTimeoutMs: number;
}

export interface DirectoryEntry {
  userId: number;
  displayName: string;
  role: Role;
  extension: string;
  registered: boolean;
}

/** The phones the caller may ring (GET /api/directory). */
export interface DirectoryResponse {
  entries: DirectoryEntry[];
}

/** Where a call stands ('interrupted': the server stopped while it was up). */
export type CallState = 'setup' | 'ringing' | 'answered' | 'ended' | 'interrupted';

/** A call's instants and how it ended, as every view of a call shows them (the calls row has them too). */
export interface CallTimes {
  id: string;
  invitedAt: number;
  ringingAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  endReason: string | null;
}

/** One side of a call. */
export interface CallParty {
  extension: string;
  displayName: string;
  /**
   * Who this side is, in staff words, as the call list shows it (never an extension): the
   * candidate's name; the assessor playing a customer as the call presented them ("Margaret
   * Hughes, 0113 496 0412 · Assessor (role-play)") or by the number the candidate dialled; anyone
   * else by name; "Unknown phone" for a phone no account has.
   */
  shownAs: string;
}

export interface CallSummary extends CallTimes {
  caller: CallParty;
  callee: CallParty;
  candidateUserId: number | null;
  state: CallState;
  sipStatus: number | null;
  recording: { status: string | null; durationMs: number | null; sha256: string | null; bytes: number | null; url: string } | null;
  /** Staff only: why the recording failed or is incomplete (e.g. the disk is full), in words; null when fine. */
  recordingProblem: string | null;
}

/** The calls the caller may see, newest first (GET /api/calls). */
export interface CallsResponse {
  calls: CallSummary[];
}

/** One event of a call's timeline as GET /api/calls/:id sends it (invite, ringing, answer, hold, resume, transfer, end…). */
export interface CallEventView {
  id: number;
  callId: string;
  at: number;
  type: string;
  leg: 'caller' | 'callee' | null;
  /** What the event type records (a SIP status, a transfer's target…): its shape differs per type. */
  detail: Record<string, unknown> | null;
}

/** A hold on the call: from the hold to the resume (or the end), and the leg that held. */
export interface CallHold {
  start: number;
  end: number | null;
  by: string | null;
}

/** GET /api/calls/:id: the call, its timeline and its holds. */
export interface CallDetail {
  call: CallSummary;
  events: CallEventView[];
  holds: CallHold[];
}

/** SIP status codes a softphone shows, in words. */
export const SIP_STATUS_WORDS: Record<number, string> = {
  403: 'Not allowed to call this number',
  404: 'No such number',
  408: 'No answer',
  480: 'Not available (not signed in to their phone)',
  482: 'You cannot call yourself',
  486: 'Busy',
  487: 'Call cancelled',
  488: 'Audio could not be set up',
  500: 'Server error',
  503: 'Service unavailable',
  603: 'Declined',
};

/**
 * Pushed over socket.io (REALTIME_PATH) to every connected user of a centre when one of its phones
 * registered or unregistered: the phone directory's presence changed and is read again from
 * GET /api/directory (which keeps to what each user may see). No payload: who is available is
 * never pushed to someone the directory would not show it to.
 */
export const PRESENCE_CHANGED_EVENT = 'presence:changed';
