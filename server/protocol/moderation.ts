// Wire types of the moderation replay, moderated marks, the audit log and the sample (HTTP JSON),
// shared with the client. Types and pure helpers only (nothing imported at runtime): the client
// imports this file.
//
// Routes (server/api/replay-routes.ts, in the attempt scope, and sample-routes.ts; "staff" = assessor of the attempt's centre, moderator, admin):
//   GET  /api/attempts/:id/replay[?callId=]   [staff]              → ReplayView (first page of the timeline)
//   GET  /api/attempts/:id/replay/events?afterSeq=[&callId=] [staff] → ReplayEventsPage (the next page)
//   GET  /api/attempts/:id/moderation         [staff]              → ModerationView
//   PUT  /api/attempts/:id/moderation         [moderator, admin]   SaveModerationInput → ModerationView
//   GET  /api/audit-log                       [moderator, admin]   ?subjectType=&subjectId=&centreId=&action=&before=&limit= → AuditLogPage
//   GET  /api/moderation/sample?centreId=     [moderator, admin]   → SampleView
//   POST /api/moderation/sample/add           [moderator, admin]   SampleChangeInput → SampleView
//   POST /api/moderation/sample/remove        [moderator, admin]   SampleChangeInput → SampleView
import type { Actor, AttemptHeading, Grade, Person, RubricLineView, SittingResultView } from './assessment.js';
import type { EventSource } from './timeline.js';
import type { Message, MessageAttachment } from './crm.js';
import type { PrintoutSummary } from './printouts.js';
import type { CallTimes } from './telephony.js';

export type { Person };

/** How the desktop and call events line up with the audio. */
export interface ReplayAlignment {
  /** Wall-clock ms (server clock) of the recording's t=0; every offsetMs is measured from it. */
  originAt: number;
  /** Where t=0 came from: the recorder's own stamp, else the answer (no recording), else the invite. */
  originSource: 'recording' | 'answer' | 'invite';
  /** Worst expected gap between an event's place on the axis and the audio it belongs to (± ms). */
  toleranceMs: number;
  /** The same in words, for the page. */
  note: string;
}

export interface ReplayRecording {
  url: string;
  /** Waveform peaks (GET /api/calls/:id/peaks); 409 until the recording is analysed. */
  peaksUrl: string;
  status: string | null;
  durationMs: number | null;
  sha256: string | null;
  bytes: number | null;
}

export interface ReplayCall extends CallTimes {
  recordingStartedAt: number | null;
  /** null when the call has no recording (never answered, failed, or removed by retention). */
  recording: ReplayRecording | null;
  /** Which channel is whom: the candidate is always on the left. */
  channels: { left: 'candidate'; right: string };
  alignment: ReplayAlignment;
}

export interface ReplayEvent {
  /** Unique in the view: 'call-<id>', 'desktop-<seq>', 'bookmark-<id>'. */
  id: string;
  source: 'call' | 'desktop' | 'bookmark';
  type: string;
  /** Server time (ms since the epoch). */
  at: number;
  /** Place on the recording's axis (ms from t=0); may be negative (before the recording) or past its end. */
  offsetMs: number;
  /** Call events: which leg ('caller'/'callee') and whether that is the candidate. */
  leg?: string | null;
  byCandidate?: boolean;
  /** Desktop events: the attempt's sequence number and the desktop's own clock. */
  seq?: number;
  clientAt?: number | null;
  payload: Record<string, unknown>;
  /**
   * Who recorded it: the server (every call event, and the timeline's server-recorded actions) or
   * the candidate's browser (shown as "reported by the candidate's browser"). Absent for bookmarks.
   */
  recordedBy?: EventSource;
  /** What happened in words, where the server describes it (an identity check: "2 asked, 2 correct: verified"). */
  summary?: string;
}

const REPLAY_SOURCE_ORDER = { call: 0, desktop: 1, bookmark: 2 } as const;

/** The order of a replay's events: by time, call events before desktop ones before bookmarks, then by id. */
export const replayOrder = (a: ReplayEvent, b: ReplayEvent): number =>
  a.at - b.at || REPLAY_SOURCE_ORDER[a.source] - REPLAY_SOURCE_ORDER[b.source] || a.id.localeCompare(b.id, 'en', { numeric: true });

/** The next page of an attempt's timeline on the replay's axis. */
export interface ReplayEventsPage {
  events: ReplayEvent[];
  /** Ask again with afterSeq = this for the page after; null at the end. */
  nextAfterSeq: number | null;
}

export interface HoldRegion {
  startMs: number;
  endMs: number;
  lengthMs: number;
  /** Longer than the 60-second limit (U2-4.2-hold-max-60). */
  over60: boolean;
  /** 'resume', 'call-end', or 'open' (never resumed, the call still up). */
  endedBy: string;
  source: 'call' | 'desktop';
}

export interface ReplayBookmark {
  id: number;
  at: number;
  offsetMs: number;
  note: string;
  cueId: string | null;
  by: Person;
}

export interface ReplayMessage extends Omit<Message, 'customerId' | 'attachments' | 'origin'> {
  attachments: Array<Pick<MessageAttachment, 'kind' | 'name'>>;
  /** On the recording's axis; null for seed (pre-loaded) messages. */
  offsetMs: number | null;
}

export interface FieldCheck {
  accountNumber: string;
  customerName: string | null;
  field: string;
  /** How the values were compared (server/assessment/field-compare.ts kinds). */
  kind: string;
  /** As the key and the record hold them ("(empty)" for blank). */
  expected: string;
  final: string;
  /** The value at the start of the attempt (the seed), for context. */
  initial: string;
  match: boolean;
  /** This field held a planted wrong value the candidate had to correct. */
  planted: boolean;
}

export interface FollowUpCheck {
  /** The follow-up in words, its channel included: '"Home move confirmation" e-mail', or 'SMS'. */
  label: string;
  channel: string;
  expectedTo: string;
  expectedCc: string[];
  /** The sent message that fits (same channel, recipient and cc), else the nearest by channel. */
  messageId: number | null;
  sentTo: string | null;
  match: boolean;
  problem: string | null;
}

export interface FinalStateView {
  scenarioKey: string;
  fields: FieldCheck[];
  followUps: FollowUpCheck[];
  mismatches: number;
  /** Set when the CRM copy was anonymised by retention (the values are placeholders). */
  anonymised: boolean;
}

export interface ReplayView {
  attempt: {
    id: string;
    scenarioKey: string;
    title: string;
    status: 'open' | 'closed';
    createdAt: number;
    closedAt: number | null;
    markedAt: number | null;
    position: number | null;
    variant: string | null;
    retakeOf: string | null;
  };
  sitting: { id: string; status: string; startedAt: number | null; endedAt: number | null } | null;
  centre: { id: number; name: string };
  candidate: Person;
  assessor: Person | null;
  /** The call replayed (the attempt's answered call by default, or ?callId=). */
  call: ReplayCall | null;
  /** Every call of the attempt, to switch between them. */
  calls: Array<{ id: string; invitedAt: number; answeredAt: number | null; hasRecording: boolean }>;
  /** Call, desktop and bookmark events in axis order (the timeline's first page). */
  events: ReplayEvent[];
  /** The timeline has more events: GET …/replay/events?afterSeq= (null when all are here). */
  moreEvents: { afterSeq: number } | null;
  holds: HoldRegion[];
  bookmarks: ReplayBookmark[];
  printouts: Array<PrintoutSummary & { offsetMs: number | null }>;
  messages: ReplayMessage[];
  /** null for a practice scenario without an answer key. */
  finalState: FinalStateView | null;
}

// --- moderated marks ---------------------------------------------------------------------------

export interface ModeratedCriterionView extends RubricLineView {
  centreMark: number | null;
  comment: string;
  /** null when the moderator has not changed this criterion (the centre mark stands). */
  moderatedMark: number | null;
  reason: string | null;
  moderatedBy: Person | null;
  moderatedAt: number | null;
}

export interface ModeratedMarkChange {
  id: number;
  at: number;
  by: Actor;
  criterionId: string;
  centreMark: number | null;
  before: number | null;
  after: number | null;
  reason: string | null;
}

export interface ModerationView extends AttemptHeading {
  /** The centre's marking is finished (moderation is possible only then). */
  centreMarked: boolean;
  criteria: ModeratedCriterionView[];
  centreTotal: number | null;
  /** The moderated assignment mark: null while no criterion is moderated. */
  moderatedTotal: number | null;
  /** The mark that counts: moderated if any, else centre. */
  countedTotal: number | null;
  /** The sitting's result with the moderated marks (null for a practice attempt). */
  sittingResult: SittingResultView | null;
  history: ModeratedMarkChange[];
}

export interface SaveModerationInput {
  marks: Array<{ criterionId: string; mark: number; reason?: string | null }>;
}

// --- audit log ---------------------------------------------------------------------------------

export interface AuditLogEntryView {
  id: number;
  at: number;
  actor: (Actor) | null;
  centreId: number | null;
  action: string;
  subjectType: string;
  subjectId: string;
  /**
   * The state before and after, each action in its own shape (free-form JSON as recorded). Optional
   * only in TypeScript's eyes: `unknown` takes undefined, so a schema reads the key as optional.
   */
  before?: unknown;
  after?: unknown;
  reason: string | null;
  hash: string;
}

export interface AuditLogPage {
  entries: AuditLogEntryView[];
  /** Pass as ?before= for the next (older) page; null at the start of the log. */
  nextBefore: number | null;
  /** The whole chain checked (first page only). */
  chain?: { ok: boolean; rows: number; message?: string };
}

// --- sample ------------------------------------------------------------------------------------

export interface SampleSittingView {
  sittingId: string;
  candidate: Person;
  assessor: Person | null;
  endedAt: number | null;
  /** The total and grade that count (moderated marks included; server/sittings/results.ts), as every view shows them. */
  total: number | null;
  grade: Grade | null;
  /** The centre's own total and grade, which the sampling rule reads (the sample does not move once moderation begins). */
  centreTotal: number | null;
  centreGrade: Grade | null;
  /** A moderator changed some mark of the sitting. */
  moderated: boolean;
  /** 'rule' = proposed by the sampling rule; 'added' = added by a moderator. */
  source: 'rule' | 'added';
  reasons: string[];
  explanations: string[];
  /** The moderator's reason, for an added (or removed) sitting. */
  overrideReason: string | null;
  /** First attempt ids by position, to open the replay. */
  attempts: Array<{ attemptId: string; position: number | null; scenarioKey: string; retake: boolean }>;
}

export interface SampleView {
  centreId: number;
  /** Ended sittings of the centre the rule looked at. */
  of: number;
  config: { percentage: number; boundaryMargin: number; perAssessor: number; includeRetakes: boolean; seed: string };
  sample: SampleSittingView[];
  /** Proposed by the rule, taken out by a moderator (with the reason). */
  removed: SampleSittingView[];
  /** Every ended sitting of the centre, for adding by hand. */
  sittings: Array<{ sittingId: string; candidate: Person; endedAt: number | null; inSample: boolean }>;
}

export interface SampleChangeInput {
  centreId: number;
  sittingId: string;
  reason: string;
}

// ---- waveform peaks (GET /api/calls/:id/peaks?format=json) -------------------------------------

/** A recording's waveform peaks, one lane per channel (left = candidate): 0..255 per entry. */
export interface PeaksJson {
  callId: string;
  channels: number;
  peaksPerSecond: number;
  durationMs: number;
  left: number[];
  right: number[];
}

// ---- call metrics (GET /api/attempts/:id/metrics; computed by server/analysis/metrics.ts)

export interface HoldMetric {
  start: number;
  end: number | null;
  durationMs: number | null;
  /** Offsets into the recording (ms from its start), null without a recording start. */
  fromMs: number | null;
  toMs: number | null;
  endedBy: 'resume' | 'call-end' | 'open';
}

export interface CallMetrics {
  callId: string;
  answered: boolean;
  timeToAnswerMs: number | null;
  /** null until the recording has been analysed (see analysis.status). */
  candidateTalkMs: number | null;
  otherTalkMs: number | null;
  silenceMs: number | null;
  overtalkMs: number | null;
  holdCount: number;
  longestHoldMs: number | null;
  totalHoldMs: number;
  holds: HoldMetric[];
  handleTimeMs: number | null;
  wrapUpMs: number | null;
  analysis: { status: 'pending' | 'done' | 'failed' | 'no-recording'; error: string | null; durationMs: number | null };
}

export interface AttemptMetrics {
  attemptId: string;
  calls: CallMetrics[];
  totals: { calls: number } & Pick<CallMetrics, 'candidateTalkMs' | 'otherTalkMs' | 'silenceMs' | 'overtalkMs' | 'holdCount' | 'longestHoldMs' | 'handleTimeMs' | 'wrapUpMs'>;
}

// ---- pack verification (npm run verify-pack, POST /api/packs/verify; server/moderation/pack-verify.ts)

export interface PackProblem {
  file: string;
  /** The entry in the file, e.g. 'event 12' or 'audit entry 40'. */
  entry?: string;
  message: string;
}

export interface PackVerification {
  ok: boolean;
  problems: PackProblem[];
  /** One line for people: "Pack verified: …" or the first problem. */
  summary: string;
  checked: { files: number; timelineEntries: number; auditEntries: number };
  manifest?: { packId: string; createdAt: number; createdBy: { userId: number; role: string; name: string } | null; scope: { sittings: string[]; attempts: string[] } };
}

/** What POST /api/packs/verify answers. */
export interface PackVerificationResult extends PackVerification {
  /** This server exported exactly this manifest (its audit log has the manifest's hash). */
  issuedByThisServer: boolean;
}
