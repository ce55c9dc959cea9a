// Everything the client shows as text that is not typed by a user: dates and times (en-GB, as UK
// contact-centre staff read them), durations, money (pounds and pence), internal codes in words, and
// every timeline event in words. One module, so a page never formats a date or an event its own way
// and no JSON or code reaches the screen. The glossary of the words used is in client/README.md.

import type { PriceBasis } from '../../server/protocol/crm.js';
import { SIP_STATUS_WORDS } from '../../server/protocol/telephony.js';
import { codeWords, dueText, eventWords, fieldWords, inSentence, sentences } from '../../server/protocol/words.js';

// The words shared with the server's evidence (server/protocol/words.ts), part of this module's vocabulary.
export { codeWords, dueText, fieldWords, inSentence, sentences };

// --- dates and times ---------------------------------------------------------------------------

const none = '—';
type When = number | null | undefined;

/** "2 Mar 2026, 09:05". */
export const dateTimeGB = (ms: When): string => (ms === null || ms === undefined ? none : new Date(ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }));
/** "2 Mar 2026". */
export const dateGB = (ms: When): string => (ms === null || ms === undefined ? none : new Date(ms).toLocaleDateString('en-GB', { dateStyle: 'medium' }));
/** "09:05:12": a time of day on a log, to the second. */
export const timeGB = (ms: When): string => (ms === null || ms === undefined ? none : new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' }));
/** "09:05": a time of day. */
export const hourMinuteGB = (ms: When): string => (ms === null || ms === undefined ? none : new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' }));
/** A 'YYYY-MM-DD' day as "2 Mar 2026". */
export const isoDayGB = (day: string | null | undefined): string => (day ? new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }) : none);
/** "2 Mar 2026, 09:05" (the desktop's records). */
export const dateTime = (ms: number): string => new Date(ms).toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
/** "1 Jan 07:52": for lists, where the year is rarely in doubt. */
export const shortDateTime = (ms: number): string => new Date(ms).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).replace(',', '');
/** "2 March 2026". */
export const date = (ms: number): string => new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' });

// --- durations -----------------------------------------------------------------------------------

/** Minutes and seconds of a duration: "7 min 05 s". */
export const minutesGB = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
};

/** mm:ss (minutes may pass 59), with a minus sign before zero: a clock or an offset on a recording. */
export function clock(ms: number): string {
  const sign = ms < 0 ? '−' : '';
  const s = Math.floor(Math.abs(ms) / 1000);
  return `${sign}${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** Offset from call answer as mm:ss; a dash without a call. */
export const offset = (ms: number | null): string => (ms === null || !Number.isFinite(ms) ? none : clock(ms));

/** "3.2 s". */
export const seconds = (ms: When): string => (ms === null || ms === undefined ? none : `${Math.round(ms / 100) / 10} s`);

// --- money ---------------------------------------------------------------------------------------


export const money = (pence: number): string => `£${(pence / 100).toFixed(2)}`;

/** "£28.00 a month" or "£59.99 one-off", as the catalogue prices it. */
export const price = (pence: number, basis: PriceBasis): string => `${money(pence)} ${basis === 'monthly' ? 'a month' : 'one-off'}`;

/** An order's total split into its monthly and one-off parts. */
export function orderPrice(o: { monthlyPence: number; oneOffPence: number; totalPence: number }): string {
  const parts = [o.monthlyPence > 0 && price(o.monthlyPence, 'monthly'), o.oneOffPence > 0 && price(o.oneOffPence, 'one_off')].filter(Boolean);
  return parts.length ? parts.join(' + ') : money(o.totalPence);
}

// --- codes in words ------------------------------------------------------------------------------

const AGENT_STATE: Record<string, string> = { ready: 'Ready', 'not-ready': 'Not ready', 'on-call': 'On a call', 'wrap-up': 'Wrap-up', offline: 'Offline' };
export const agentStateWords = (s: unknown): string => (typeof s === 'string' ? (AGENT_STATE[s] ?? codeWords(s)) : 'unknown');

/**
 * The qualification's own assessment-criterion number of an internal criterion id, as assessors know
 * it from the LCCI Unit 2 specification: 'U2-1.1-greeting' → "criterion 1.1". Several checks share a
 * number, so a form shows it beside the criterion's description, never instead of it.
 */
export function criterionReference(criterionId: string): string {
  const m = /^U\d+-(\d+\.\d+)(?:-|$)/.exec(criterionId);
  return m ? `criterion ${m[1]}` : 'criterion';
}

/** A criterion named by its id in words, from the criteria of the view: "Greets the caller (criterion 1.1)". */
export function criterionWords(criterionId: string, criteria: ReadonlyArray<{ criterionId: string; description: string }>): string {
  const c = criteria.find((x) => x.criterionId === criterionId);
  return c ? `${c.description} (${criterionReference(criterionId)})` : criterionReference(criterionId);
}

const CALL_STATE: Record<string, string> = { setup: 'Setting up', ringing: 'Ringing', answered: 'In progress', ended: 'Ended', interrupted: 'Interrupted' };

/**
 * How a call stands or ended, in words: "In progress", or from its stored end ("completed: hung up by
 * the callee") the same words the timeline's call-ended event gives: "Completed · hung up by the callee".
 */
export function callOutcome(c: { state: string; endReason: string | null }): string {
  if (!c.endReason) return CALL_STATE[c.state] ?? codeWords(c.state);
  const at = c.endReason.indexOf(': ');
  const payload = at < 0 ? { outcome: c.endReason } : { outcome: c.endReason.slice(0, at), reason: c.endReason.slice(at + 2) };
  const words = eventSummary({ type: 'call-ended', payload });
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// --- timeline events -----------------------------------------------------------------------------

/** What an event type is called on the live view and the replay (server/protocol/words.ts EVENT_WORDS). */
export const eventLabel = eventWords;

const valueWords = (v: unknown): string => {
  if (v === null || v === undefined || v === '') return '(empty)';
  if (typeof v === 'string') return `"${v.length > 60 ? `${v.slice(0, 59)}…` : v}"`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return `${v.length} item${v.length === 1 ? '' : 's'}`;
  return '(changed)';
};
/** A payload value as text: a string as it is, a number in figures; anything else (missing, an object) is ''. */
export const textOf = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const join = (...parts: Array<string | undefined | false>): string => parts.filter(Boolean).join(' ');
const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * One line in words describing an event, from its payload (server/protocol/timeline.ts lists the
 * fields). Never JSON: a payload this does not know gives its server-written summary or nothing.
 */
export function eventSummary(e: { type: string; payload: Record<string, unknown> | null | undefined }): string {
  const p = e.payload ?? {};
  const customer = str(p.customerName) ?? str(p.accountNumber);
  const on = (s: string | undefined | false) => (s && customer ? `${s} (${customer})` : s || customer || '');
  switch (e.type) {
    case 'field-changed':
      return join(customer && `${customer}:`, `${fieldWords(str(p.field) ?? 'a field')} ${valueWords(p.old)} → ${valueWords(p.new)}`);
    case 'search':
      return join(str(p.query) !== undefined && `"${str(p.query)}"`, str(p.by) && `by ${str(p.by)}`, typeof p.resultCount === 'number' && `→ ${count(p.resultCount, 'result')}`);
    case 'screen-pop': {
      const n = str(p.number) ?? str(p.callerNumber);
      const matches = typeof p.resultCount === 'number' ? p.resultCount : typeof p.matches === 'number' ? p.matches : undefined;
      return join(n ? `caller ${n}` : 'number withheld', matches !== undefined && `→ ${count(matches, 'match', 'matches')}`);
    }
    case 'record-opened':
      return join(str(p.recordType), str(p.label) ?? str(p.accountNumber));
    case 'tab-opened':
      return str(p.tab) ? codeWords(str(p.tab)!) : '';
    case 'identity-check':
      return str(p.summary) ?? (typeof p.passed === 'boolean' ? on(p.passed ? 'verified' : 'not verified') : on(undefined));
    case 'note-added':
      return on(typeof p.length === 'number' ? count(p.length, 'character') : str(p.text) && valueWords(p.text));
    case 'callback-created':
      return on(str(p.summary) ?? (str(p.dueAt) ? `due ${dueText(str(p.dueAt)!)}` : undefined));
    case 'order-created':
    case 'case-created':
      return on(str(p.summary) ?? str(p.reference) ?? join(str(p.category) && codeWords(str(p.category)!), str(p.type) && codeWords(str(p.type)!)));
    case 'message-sent':
      return join(str(p.channel) === 'sms' ? 'SMS' : str(p.channel) === 'email' ? 'E-mail' : str(p.channel), str(p.to) && `to ${str(p.to)}`, str(p.subject) && `· ${valueWords(p.subject)}`);
    case 'message-filed':
      return str(p.folder) ? `in ${codeWords(str(p.folder)!).toLowerCase()}` : 'back to the inbox';
    case 'auto-reply-set':
      return p.enabled === true ? 'switched on' : 'switched off';
    case 'printout':
      return str(p.title) ?? str(p.label) ?? (str(p.kind) ? codeWords(str(p.kind)!) : '');
    case 'wrap-up':
      return join(str(p.code) && codeWords(str(p.code)!), str(p.outcome) && codeWords(str(p.outcome)!), typeof p.notesLength === 'number' && `· notes of ${count(p.notesLength, 'character')}`);
    case 'agent-state':
      return p.to !== undefined ? `${agentStateWords(p.from)} → ${agentStateWords(p.to)}` : agentStateWords(p.state);
    // The target by the name the server recorded from the directory; `target` is an extension, never
    // shown (an entry stored before names were recorded names nobody).
    case 'transfer': {
      const name = str(p.targetName);
      if (str(p.outcome) === 'failed') return join(name ? `Not transferred to ${name}` : 'Not transferred', refusalWords(p.status));
      return name ? `Transferred to ${name}` : 'Transferred';
    }
    case 'conference': {
      const name = str(p.targetName);
      if (str(p.outcome) === 'failed') return join(name ? `${name} did not join` : 'The third party did not join', refusalWords(p.status));
      return name ? `${name} joined` : 'A third party joined';
    }
    case 'call-started':
      // Extensions are internal: only a number the candidate dialled is shown.
      return join(str(p.direction) === 'outbound' ? 'outbound' : str(p.direction) === 'inbound' ? 'inbound' : undefined, str(p.dialledNumber) && `to ${str(p.dialledNumber)}`);
    case 'hold':
    case 'resume':
      return p.byCandidate === true ? 'by the candidate' : p.byCandidate === false ? 'by the other party' : '';
    case 'call-ended':
      return join(str(p.outcome) && codeWords(str(p.outcome)!).toLowerCase(), str(p.reason) && endReasonWords(str(p.outcome) ?? '', str(p.reason)!));
    case 'recording-finalised':
      return typeof p.durationMs === 'number' ? minutesGB(p.durationMs) : '';
    default:
      return str(p.summary) ?? str(p.label) ?? '';
  }
}

/** Why a phone refused (a transfer's target), in words after a " · ": "· busy"; nothing for a status without words. */
function refusalWords(status: unknown): string | undefined {
  const words = typeof status === 'number' ? SIP_STATUS_WORDS[status] : undefined;
  return words && `· ${words.charAt(0).toLowerCase()}${words.slice(1)}`;
}

/**
 * The detail of how a call ended, after its outcome: the server's words as they are, except the
 * SIP status a phone refused the call with ("callee answered 486 Busy Here"), which is a protocol
 * code: the outcome (busy, declined, cancelled, unavailable) already says it, and any other refusal
 * is put in words.
 */
function endReasonWords(outcome: string, reason: string): string {
  if (!/^callee answered \d{3}\b/.test(reason)) return `· ${reason}`;
  return outcome === 'failed' ? '· the phone called could not take the call' : '';
}

// --- audit entries -------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isReference = (key: string, v: unknown): boolean => /(^id$|Id$|Ids$|sha256|hash)/.test(key) || (typeof v === 'string' && UUID.test(v));

/**
 * What an audited change did, in words: "Position: 1 · Scenario: S1", or "Mark: 3 → 4" where both
 * sides name the field. Identifiers, hashes and nested objects are left out (the audit log itself,
 * and the moderation pack, keep them).
 */
export function changeWords(before: unknown, after: unknown): string {
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const b = obj(before);
  const a = obj(after);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !isReference(k, a[k] ?? b[k]));
  const scalar = (v: unknown): string | undefined => (v === null || v === undefined ? '—' : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? (typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v)) : undefined);
  const parts: string[] = [];
  for (const k of keys) {
    const was = scalar(b[k]);
    const now = scalar(a[k]);
    if (was === undefined || now === undefined) continue;
    if (k in b && k in a) {
      if (was !== now) parts.push(`${fieldWords(k)}: ${was} → ${now}`);
    } else parts.push(`${fieldWords(k)}: ${k in a ? now : `${was} (removed)`}`);
  }
  const text = parts.join(' · ');
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
