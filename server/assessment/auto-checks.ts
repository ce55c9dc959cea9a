// Pre-filled mark suggestions for the objective criteria of one assignment attempt, from its call,
// desktop timeline, final CRM records and the scenario's answer key (digest 2.8, "The automatic
// criteria worth pre-filling first"; issue 5). The assessor confirms or overrides each one; a
// suggestion never becomes a mark by itself (digest 2.8: "Pre-filled values stay editable").
//
// From a check's result to marks (criteria are marked 0 = not shown, 1 = partly, 2 = fully in the
// digest's bands, 4.0; the same idea for any maxMarks):
//   met / not-applicable  → maxMarks     (not-applicable: the situation never arose, e.g. no long
//                                          hold to check back on; the evidence says so)
//   partly (fraction f)   → floor(f × maxMarks), at least 1 and at most maxMarks − 1
//                           (a 1-mark criterion has no "partly": 0)
//   not-met               → 0
//   no-data               → null         (the data to decide is missing: the assessor decides)
//
// Evidence is what the SERVER recorded: timeline entries reported by the candidate's browser
// (source 'browser') are dropped before any check runs, so nothing a browser says can earn a mark.

import type { CriterionSuggestionDetail, SuggestionOutcome } from '../protocol/assessment.js';
import { AssessmentRuleError } from './errors.js';
import { compareField, showValue } from './field-compare.js';
import { answersOf, identityOutcome, requiredQuestions } from './identity.js';
import { HOLD_LIMIT_MS, holdMarksFromCall, holdMarksFromTimeline, holdSegments, holdWaits, SAME_WAIT_GAP_MS, type HoldSegment } from './holds.js';
import { normaliseUkPhone } from '../crm/validation.js';
import { channelWords, codeWords, dueText, eventWords, fieldWords, inSentence, PRINTOUT_KIND_WORDS, SALE_TYPE_WORDS } from '../protocol/words.js';
import {
  DEFAULT_PROTECTED_EVENTS,
  type AnswerKey,
  type AnswerKeyNames,
  type AutoCheckDefinition,
  type ExpectedMessage,
  type AutoCheckKind,
  type CallFacts,
  type RecordRef,
  type RecordSnapshot,
  type RubricCriterion,
  type TimelineEntry,
} from './types.js';

export interface AutoCheckInput {
  checks: readonly AutoCheckDefinition[];
  /** The scenario's rubric: gives each criterion's maxMarks. */
  rubric: readonly RubricCriterion[];
  answerKey: AnswerKey;
  /** The attempt's call, or null if there was none (or it is not linked). */
  call: CallFacts | null;
  timeline: readonly TimelineEntry[];
  /** Final state of the attempt's records (customers by account number). */
  records: readonly RecordSnapshot[];
  /** Instant the checks are run at, to measure a hold still open on a call still up. */
  asOf?: number;
}

export type { SuggestionOutcome };

/** A criterion's suggestion (the wire form, server/protocol/assessment.ts), naming its checks by kind. */
export interface CriterionSuggestion extends Omit<CriterionSuggestionDetail, 'checks'> {
  checks: AutoCheckKind[];
}

interface CheckResult {
  outcome: SuggestionOutcome;
  /** For 'partly': share of the criterion achieved, 0 < f < 1. */
  fraction?: number;
  evidence: string[];
}

/** Marks for an outcome, per the table at the top of this file. */
export function marksFor(outcome: SuggestionOutcome, maxMarks: number, fraction = 0): number | null {
  switch (outcome) {
    case 'met':
    case 'not-applicable':
      return maxMarks;
    case 'not-met':
      return 0;
    case 'no-data':
      return null;
    case 'partly':
      if (maxMarks < 2) return 0;
      return Math.min(maxMarks - 1, Math.max(1, Math.floor(fraction * maxMarks)));
  }
}

const fromFraction = (done: number, of: number, evidence: string[]): CheckResult =>
  done === of ? { outcome: 'met', evidence } : done === 0 ? { outcome: 'not-met', evidence } : { outcome: 'partly', fraction: done / of, evidence };

// --- formatting --------------------------------------------------------------------------------

/** 61000 → '61.0 s'. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** 65000 → '1:05'. */
function clock(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A time of day as the centre's clock shows it: 09:05:10 (UK time, summer time included). */
const UK_TIME_OF_DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** When a timeline entry happened, relative to the answer; an entry the server could not place in the call, the time of day. */
function when(e: TimelineEntry): string {
  if (e.offsetMs === null) return `at ${UK_TIME_OF_DAY.format(e.at)}`;
  return e.offsetMs < 0 ? `${clock(e.offsetMs)} before the answer` : `at ${clock(e.offsetMs)}`;
}

/** When a call instant happened, relative to the answer; with no answer, the time of day. */
function callWhen(at: number, answeredAt: number | null): string {
  if (answeredAt === null) return `at ${UK_TIME_OF_DAY.format(at)}`;
  return at < answeredAt ? `${clock(at - answeredAt)} before the answer` : `at ${clock(at - answeredAt)}`;
}

const recordName = (r: RecordRef): string => `${r.type} ${r.key}`;

// --- words -------------------------------------------------------------------------------------
// The evidence is read by assessors and moderators: codes, keys and field names in their words
// (server/protocol/words.ts, the same words the desktop and the replay use; the seed's own names
// through the answer key's `names`).

/** A field as the key labels it, else as the desktop calls it: "address line 1". */
const fieldLabel = (f: { field: string; label?: string }): string => f.label ?? inSentence(fieldWords(f.field));

/** The seed's name for a code or key (case ignored, as codes are compared), else the code in words, or `fallback` of it. */
function nameOf(table: Readonly<Record<string, string>> | undefined, code: string, fallback: (code: string) => string = codeWords): string {
  const wanted = code.trim().toUpperCase();
  const hit = Object.entries(table ?? {}).find(([k]) => k.toUpperCase() === wanted);
  return hit ? hit[1] : fallback(code);
}

/** A product by its name; a code the seed does not name stays as the catalogue writes it. */
const productName = (names: AnswerKeyNames | undefined, code: string): string => nameOf(names?.products, code, (c) => c);
const saleTypeWords = (saleType: string): string => inSentence(nameOf(SALE_TYPE_WORDS, saleType));
const quoted = (words: string): string => `"${words}"`;

/** What a timeline entry did, in words: "Note added", or for a field change "Town changed". */
function actionWords(e: TimelineEntry): string {
  return e.type === 'field-changed' && typeof e.payload.field === 'string' ? `${fieldWords(e.payload.field)} changed` : eventWords(e.type);
}

// --- customers in the timeline -----------------------------------------------------------------

/** An id as a timeline payload carries it: a number or a string; anything else names no record. */
const isId = (v: unknown): v is number | string => typeof v === 'number' || typeof v === 'string';

/** Attempt-local customer id → account number, from the snapshots and record-opened payloads. */
function customerKeys(records: readonly RecordSnapshot[], timeline: readonly TimelineEntry[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const r of records) if (r.type === 'customer' && r.id !== undefined && r.id !== null) map.set(String(r.id), r.key);
  for (const e of timeline) {
    const { customerId, accountNumber } = e.payload;
    if (isId(customerId) && typeof accountNumber === 'string' && !map.has(String(customerId))) map.set(String(customerId), accountNumber);
  }
  return map;
}

/** The customer an action is about: account number when known, 'id:N' otherwise, null if none. */
function subjectOf(e: TimelineEntry, keys: Map<string, string>): string | null {
  const { customerId, accountNumber } = e.payload;
  if (customerId !== undefined && customerId !== null && (typeof customerId === 'number' || typeof customerId === 'string')) return keys.get(String(customerId)) ?? `id:${customerId}`;
  if (typeof accountNumber === 'string' && accountNumber) return accountNumber;
  return null;
}

/** A customer in the evidence: by account number; a record whose account number is unknown is not named by its database id. */
const customerName = (subject: string | null): string => (subject === null ? 'an unnamed customer' : subject.startsWith('id:') ? 'a customer record with no known account number' : `customer ${subject}`);

const bySeq = (timeline: readonly TimelineEntry[]): TimelineEntry[] => [...timeline].sort((a, b) => a.seq - b.seq);

// --- answer time -------------------------------------------------------------------------------

function answerTime(call: CallFacts | null, maxRingSeconds: number): CheckResult {
  if (!call) return { outcome: 'no-data', evidence: ['No call is linked to this attempt, so the time to answer is unknown.'] };
  if (call.answeredAt === null) return { outcome: 'not-met', evidence: ['The call was not answered.'] };
  const fromInvite = call.ringingAt === null;
  const start = call.ringingAt ?? call.invitedAt ?? null;
  if (start === null || start > call.answeredAt) return { outcome: 'no-data', evidence: ['No ringing time was recorded for the call, so the time to answer is unknown.'] };
  const ringMs = call.answeredAt - start;
  const limitMs = maxRingSeconds * 1000;
  const text = `Answered ${seconds(ringMs)} after it started ringing${fromInvite ? ' (measured from the call set-up: no ringing time recorded)' : ''}; the limit is ${maxRingSeconds} s.`;
  return { outcome: ringMs <= limitMs ? 'met' : 'not-met', evidence: [text] };
}

// --- holds -------------------------------------------------------------------------------------

function segmentsFor(input: AutoCheckInput): { segments: HoldSegment[]; answeredAt: number | null } | null {
  if (input.call) return { segments: holdSegments(holdMarksFromCall(input.call), input.asOf), answeredAt: input.call.answeredAt };
  // The server's hold entries say whose hold it was; the other party's holds are not the candidate's.
  const marks = holdMarksFromTimeline(input.timeline.filter((e) => e.payload.byCandidate !== false));
  if (marks.length === 0) return null;
  return { segments: holdSegments(marks, input.asOf), answeredAt: null };
}

function describeSegment(s: HoldSegment, answeredAt: number | null): string {
  const how = s.endedBy === 'call-end' ? ', ended by the call ending' : s.endedBy === 'open' ? (s.durationMs === null ? ', still on hold' : ' so far, still on hold') : '';
  return `hold starting ${callWhen(s.start, answeredAt)}${s.durationMs === null ? '' : ` lasted ${seconds(s.durationMs)}`}${how}`;
}

function holdLimit(input: AutoCheckInput, limitMs: number): CheckResult {
  const found = segmentsFor(input);
  if (!found) return { outcome: 'no-data', evidence: ['No call is linked to this attempt, so holds are unknown.'] };
  const { segments, answeredAt } = found;
  if (segments.length === 0) return { outcome: 'met', evidence: ['The caller was never put on hold.'] };
  const closed = segments.filter((s) => s.durationMs !== null);
  const over = closed.filter((s) => s.durationMs! > limitMs);
  const longest = closed.reduce<HoldSegment | null>((l, s) => (l === null || s.durationMs! > l.durationMs! ? s : l), null);
  const evidence = [`${segments.length} hold${segments.length === 1 ? '' : 's'}${longest ? `; the longest ${seconds(longest.durationMs!)}` : ''}; the limit is ${seconds(limitMs)} each.`];
  for (const s of over) evidence.push(`Over the limit: ${describeSegment(s, answeredAt)}.`);
  if (over.length) return { outcome: 'not-met', evidence };
  const open = segments.find((s) => s.durationMs === null);
  if (open) return { outcome: 'no-data', evidence: [...evidence, `The ${describeSegment(open, answeredAt)}; its length is not known yet.`] };
  return { outcome: 'met', evidence };
}

function holdRecheck(input: AutoCheckInput, limitMs: number, gapMs: number): CheckResult {
  const found = segmentsFor(input);
  if (!found) return { outcome: 'no-data', evidence: ['No call is linked to this attempt, so holds are unknown.'] };
  const { segments, answeredAt } = found;
  if (segments.length === 0) return { outcome: 'not-applicable', evidence: ['The caller was never put on hold, so no check-back was needed.'] };
  const over = segments.filter((s) => s.durationMs !== null && s.durationMs > limitMs);
  if (over.length) {
    return { outcome: 'not-met', evidence: over.map((s) => `No check-back within ${seconds(limitMs)}: ${describeSegment(s, answeredAt)}.`) };
  }
  const open = segments.find((s) => s.durationMs === null);
  if (open) return { outcome: 'no-data', evidence: [`The ${describeSegment(open, answeredAt)}; whether it goes past ${seconds(limitMs)} is not known yet.`] };
  const long = holdWaits(segments, gapMs).filter((w) => w.totalHoldMs! > limitMs);
  if (long.length === 0) return { outcome: 'not-applicable', evidence: [`No wait went past ${seconds(limitMs)} in all, so no check-back was needed.`] };
  return {
    outcome: 'met',
    evidence: long.map(
      (w) =>
        `The caller waited ${seconds(w.totalHoldMs!)} in all, starting ${callWhen(w.segments[0]!.start, answeredAt)}, in ${w.segments.length} holds (${w.segments.map((s) => seconds(s.durationMs!)).join(', ')}), ` +
        `checked back after each within ${seconds(limitMs)} (back on the line for ${w.checkInsMs.map(seconds).join(', ')}); whether they were asked to keep holding is for the assessor.`,
    ),
  };
}

// --- identity before access --------------------------------------------------------------------
// Digest U2-1.1-verify-id "identity pass precedes any disclosure or record edit", 2.8 item 4
// "identity pass happens before any account data is shown to the caller or edited". Opening a
// record on screen is how the candidate finds the questions to verify with; it shows nothing to
// the caller (and it is reported by the browser, so it is not evidence here). Actions that change
// the account or send its data out (DEFAULT_PROTECTED_EVENTS) need a passed identity check for
// the same customer earlier in the timeline. An action naming no customer needs some passed check
// earlier. An action before any call was answered is preparation (e.g. the call plan an outbound
// brief asks for before dialling): there is no caller yet to verify or to disclose anything to.
// Whether a check passed is decided again from the questions the server recorded, with the one
// identity rule (identity.ts) and the scenario's number of questions.

function identityBeforeAccess(def: Extract<AutoCheckDefinition, { kind: 'identity-before-access' }>, input: AutoCheckInput): CheckResult {
  const protectedTypes = new Set<string>(def.protectedEvents ?? DEFAULT_PROTECTED_EVENTS);
  const keys = customerKeys(input.records, input.timeline);
  const accounts = input.answerKey.identity?.accounts ?? [];
  const wanted = def.minFactors ?? input.answerKey.identity?.questions;
  const answeredAt = input.call?.answeredAt ?? null;
  // Before any call was answered there is no caller: the server's first call-answered entry marks
  // it (by storage order); a timeline without one falls back on the call's answer time.
  const firstAnswer = bySeq(input.timeline).find((e) => e.type === 'call-answered');
  const beforeAnyCall = (e: TimelineEntry) => (firstAnswer ? e.seq < firstAnswer.seq : answeredAt !== null && e.at < answeredAt);
  const verified = new Map<string, TimelineEntry>();
  const evidence: string[] = [];
  const breaches: string[] = [];
  const breachedSubjects = new Map<string, TimelineEntry>();
  let protectedCount = 0;
  let preparation = 0;

  for (const e of bySeq(input.timeline)) {
    const subject = subjectOf(e, keys);
    const isVerified = (s: string | null) => (s === null ? verified.size > 0 : verified.has(s) || verified.has('*'));
    if (e.type === 'identity-check') {
      const answers = answersOf(e.payload);
      let passed = e.payload.passed === true;
      let words = passed ? 'verified' : 'not verified';
      if (answers) {
        // A payload listing the record's questions bounds the number needed; one that only counts them does not.
        const onRecord = Array.isArray(e.payload.questions) ? answers.length : Number.MAX_SAFE_INTEGER;
        const outcome = identityOutcome(answers, requiredQuestions(wanted, onRecord));
        passed = outcome.passed;
        words = outcome.summary;
      }
      if (passed && !verified.has(subject ?? '*')) verified.set(subject ?? '*', e);
      evidence.push(`Identity check for ${customerName(subject)} ${when(e)}: ${words}.`);
    } else if (protectedTypes.has(e.type)) {
      const what = actionWords(e);
      if (beforeAnyCall(e)) {
        preparation++;
        evidence.push(`${what} for ${customerName(subject)} ${answeredAt !== null && e.at < answeredAt ? callWhen(e.at, answeredAt) : when(e)}: preparation before the call, not account data given to a caller.`);
        continue;
      }
      protectedCount++;
      if (def.flagOtherRecords && accounts.length && subject !== null && !subject.startsWith('id:') && !accounts.includes(subject)) {
        breaches.push(`${what} on the record of ${customerName(subject)}, not the caller's, ${when(e)}.`);
      } else if (!isVerified(subject)) {
        breaches.push(`${what} for ${customerName(subject)} ${when(e)}, before any passed identity check for that customer.`);
        if (!breachedSubjects.has(subject ?? '*')) breachedSubjects.set(subject ?? '*', e);
      }
    }
  }
  for (const [subject, first] of breachedSubjects) {
    const later = verified.get(subject);
    if (later && later.seq > first.seq) breaches.push(`Identity for ${customerName(subject === '*' ? null : subject)} was only passed later, ${when(later)}.`);
  }
  for (const account of accounts) {
    if (!verified.has(account) && !verified.has('*')) breaches.push(`The identity of customer ${account} was never verified.`);
  }
  if (breaches.length) return { outcome: 'not-met', evidence: [...breaches, ...evidence] };
  if (protectedCount === 0 && accounts.length === 0 && verified.size === 0) {
    return { outcome: 'not-applicable', evidence: ['No account data was changed or sent and the key asks for no identity check.', ...evidence] };
  }
  const prepared = preparation ? ` (${preparation} action${preparation === 1 ? '' : 's'} before the call were preparation)` : '';
  return { outcome: 'met', evidence: [`Every change to or sending of account data during the call (${protectedCount}) came after a passed identity check for that customer${prepared}.`, ...evidence] };
}

// --- keyed fields ------------------------------------------------------------------------------

/** The final value of a field: from the snapshot, else the last field-changed for it, else undefined. */
function finalValue(ref: RecordRef, field: string, input: AutoCheckInput, keys: Map<string, string>): { value: unknown; source: 'record' | 'timeline' | 'none' } {
  const snap = input.records.find((r) => r.type === ref.type && r.key === ref.key);
  if (snap && Object.prototype.hasOwnProperty.call(snap.fields, field)) return { value: snap.fields[field], source: 'record' };
  const last = bySeq(input.timeline)
    .filter((e) => e.type === 'field-changed' && e.payload.field === field && (ref.type !== 'customer' || subjectOf(e, keys) === ref.key))
    .pop();
  if (last) return { value: last.payload.new, source: 'timeline' };
  return { value: undefined, source: 'none' };
}

function fieldAccuracy(input: AutoCheckInput): CheckResult {
  const fields = input.answerKey.fields ?? [];
  if (fields.length === 0) return { outcome: 'not-applicable', evidence: ['The answer key lists no keyed fields.'] };
  const keys = customerKeys(input.records, input.timeline);
  let right = 0;
  const evidence: string[] = [];
  for (const f of fields) {
    const { value, source } = finalValue(f.record, f.field, input, keys);
    const c = compareField(f.kind, f.expected, value);
    if (c.equal) right++;
    const label = `${fieldLabel(f)} (${recordName(f.record)})`;
    const actual = source === 'none' ? 'nothing recorded' : `keyed ${c.actual}`;
    evidence.push(`${c.equal ? 'Correct' : 'Wrong'}: ${label}: expected ${c.expected}, ${actual}.`);
  }
  return fromFraction(right, fields.length, [`${right} of ${fields.length} keyed fields match the answer key.`, ...evidence]);
}

function requiredFields(input: AutoCheckInput): CheckResult {
  const required = input.answerKey.requiredFields ?? [];
  if (required.length === 0) return { outcome: 'not-applicable', evidence: ['The answer key lists no required fields.'] };
  const keys = customerKeys(input.records, input.timeline);
  const missing: string[] = [];
  for (const r of required) {
    const { value } = finalValue(r.record, r.field, input, keys);
    if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) missing.push(`${fieldLabel(r)} (${recordName(r.record)})`);
  }
  const present = required.length - missing.length;
  return fromFraction(present, required.length, [`${present} of ${required.length} required fields are filled in.`, ...missing.map((m) => `Empty: ${m}.`)]);
}

// --- wrap-up -----------------------------------------------------------------------------------

function wrapUp(input: AutoCheckInput): CheckResult {
  const key = input.answerKey.wrapUp ?? {};
  const last = bySeq(input.timeline)
    .filter((e) => e.type === 'wrap-up')
    .pop();
  if (!last) return { outcome: 'not-met', evidence: ['No wrap-up was completed.'] };
  const raw = last.payload.code ?? last.payload.outcome;
  const code = typeof raw === 'string' ? raw : '';
  const notesLength = typeof last.payload.notesLength === 'number' ? last.payload.notesLength : typeof last.payload.notes === 'string' ? last.payload.notes.trim().length : 0;
  const parts: boolean[] = [true];
  const outcomeWords = (c: string) => quoted(nameOf(input.answerKey.names?.wrapUpOutcomes, c));
  const evidence = [`Wrap-up completed ${when(last)} with ${code.trim() ? `the outcome ${outcomeWords(code)}` : 'no outcome'}${notesLength ? ` and ${notesLength} characters of notes` : ' and no notes'}.`];
  const accepted = key.codes?.length ? key.codes : key.code !== undefined ? [key.code] : [];
  if (accepted.length) {
    const ok = accepted.some((c) => compareField('code', c, code).equal);
    parts.push(ok);
    if (!ok) evidence.push(`The wrap-up outcome should be ${accepted.length === 1 ? outcomeWords(accepted[0]!) : `one of ${accepted.map(outcomeWords).join(', ')}`}.`);
  }
  if (key.notesRequired) {
    parts.push(notesLength > 0);
    if (notesLength === 0) evidence.push('Notes are required and were left empty.');
  }
  return fromFraction(parts.filter(Boolean).length, parts.length, evidence);
}

// --- follow-up recipients ----------------------------------------------------------------------

function recipient(channel: string, to: unknown): string {
  const s = typeof to === 'string' ? to.trim() : '';
  return channel === 'sms' ? (normaliseUkPhone(s) ?? s) : s.toLowerCase();
}

const ccSet = (cc: unknown): string[] => (Array.isArray(cc) ? cc.filter((c): c is string => typeof c === 'string').map((c) => c.trim().toLowerCase()).sort() : []);

function followUpRecipients(input: AutoCheckInput): CheckResult {
  const expected = input.answerKey.followUps ?? [];
  const sent = bySeq(input.timeline).filter((e) => e.type === 'message-sent');
  if (expected.length === 0 && sent.length === 0) return { outcome: 'not-applicable', evidence: ['No follow-up message was expected or sent.'] };
  const used = new Set<TimelineEntry>();
  const evidence: string[] = [];
  let matched = 0;
  for (const x of expected) {
    const name = followUpName(x);
    const same = sent.filter((e) => e.payload.channel === x.channel && recipient(x.channel, e.payload.to) === recipient(x.channel, x.to));
    const wantCc = x.cc ? [...x.cc].map((c) => c.trim().toLowerCase()).sort() : null;
    const exact = same.find((e) => !used.has(e) && (wantCc === null || JSON.stringify(ccSet(e.payload.cc)) === JSON.stringify(wantCc)));
    if (exact) {
      used.add(exact);
      matched++;
      evidence.push(`Sent: ${name}${wantCc?.length ? ` (cc ${wantCc.join(', ')})` : ''} ${when(exact)}.`);
    } else if (same.length) {
      same.forEach((e) => used.add(e));
      evidence.push(`The ${name} was sent with cc ${ccSet(same[0]!.payload.cc).join(', ') || '(none)'}; the key's cc is ${wantCc?.join(', ') || '(none)'}.`);
    } else {
      evidence.push(`Not sent: ${name}.`);
    }
  }
  const expectedTo = new Set(expected.map((x) => `${x.channel}|${recipient(x.channel, x.to)}`));
  const wrong = sent.filter((e) => !used.has(e) && !expectedTo.has(`${String(e.payload.channel)}|${recipient(String(e.payload.channel), e.payload.to)}`));
  for (const e of wrong) evidence.push(`Sent to a recipient the key does not expect: ${aMessage(e.payload.channel)} to ${showValue(e.payload.to)} ${when(e)}.`);
  return fromFraction(matched, expected.length + wrong.length, evidence);
}

/** The follow-ups a check covers: answerKey.followUps[index] when given, else all of them. */
function followUpsFor(input: AutoCheckInput, index: number | undefined): ExpectedMessage[] {
  const all = input.answerKey.followUps ?? [];
  if (index === undefined) return [...all];
  const one = all[index];
  return one ? [one] : [];
}

const followUpName = (x: ExpectedMessage): string => `${x.label ?? channelWords(x.channel)} to ${x.to}`;
/** A sent message by its channel: "an e-mail", "an SMS". */
const aMessage = (channel: unknown): string => (channel === 'sms' || channel === 'email' ? `an ${channelWords(channel)}` : 'a message');

/** The messages the server recorded as sent on the follow-up's channel to its recipient, oldest first. */
function sentTo(x: ExpectedMessage, input: AutoCheckInput): TimelineEntry[] {
  return bySeq(input.timeline).filter((e) => e.type === 'message-sent' && e.payload.channel === x.channel && recipient(x.channel, e.payload.to) === recipient(x.channel, x.to));
}

/** The document keys a sent message carried (message-sent payload.attachments). */
function attachedDocuments(e: TimelineEntry): string[] {
  const list = Array.isArray(e.payload.attachments) ? (e.payload.attachments as unknown[]) : [];
  return list.flatMap((a) => (a !== null && typeof a === 'object' && typeof (a as { key?: unknown }).key === 'string' ? [(a as { key: string }).key] : []));
}

function followUpAttachments(input: AutoCheckInput, index: number | undefined): CheckResult {
  const expected = followUpsFor(input, index).filter((x) => x.attachments && x.attachments.length > 0);
  if (expected.length === 0) return { outcome: 'not-applicable', evidence: ['The key asks for no attachment on the follow-up.'] };
  let done = 0;
  const evidence: string[] = [];
  const documents = (keys: readonly string[]) => keys.map((k) => quoted(nameOf(input.answerKey.names?.documents, k))).join(', ');
  for (const x of expected) {
    const wanted = [...x.attachments!];
    const sent = sentTo(x, input);
    if (sent.length === 0) {
      evidence.push(`Not sent: ${followUpName(x)}, so its attachment${wanted.length === 1 ? '' : 's'} (${documents(wanted)}) did not go either.`);
      continue;
    }
    const complete = sent.find((e) => wanted.every((k) => attachedDocuments(e).includes(k)));
    if (complete) {
      done++;
      evidence.push(`The ${followUpName(x)} ${when(complete)} carried ${documents(wanted)}.`);
    } else {
      const best = sent[sent.length - 1]!;
      const missing = wanted.filter((k) => !attachedDocuments(best).includes(k));
      evidence.push(`The ${followUpName(x)} was sent ${when(best)} without ${documents(missing)}, which it had to carry.`);
    }
  }
  return fromFraction(done, expected.length, evidence);
}

function followUpDeadline(input: AutoCheckInput, index: number | undefined): CheckResult {
  const expected = followUpsFor(input, index).filter((x) => x.withinMinutes !== undefined);
  if (expected.length === 0) return { outcome: 'not-applicable', evidence: ['The key sets no deadline for the follow-up.'] };
  const endedAt = input.call?.endedAt ?? null;
  if (endedAt === null) return { outcome: 'no-data', evidence: ['The call has not ended (or none is linked to this attempt), so the time to the follow-up cannot be measured.'] };
  let done = 0;
  const evidence: string[] = [];
  for (const x of expected) {
    const first = sentTo(x, input)[0];
    const limitMs = x.withinMinutes! * 60_000;
    if (!first) {
      evidence.push(`Not sent: ${followUpName(x)} (due within ${x.withinMinutes} minutes of the call's end).`);
      continue;
    }
    const after = first.at - endedAt;
    const ok = after <= limitMs;
    if (ok) done++;
    const timing = after <= 0 ? 'before the call ended' : `${clock(after)} after the call ended`;
    evidence.push(`The ${followUpName(x)} was sent ${timing}; the limit is ${x.withinMinutes} minutes${ok ? '' : ': too late'}.`);
  }
  return fromFraction(done, expected.length, evidence);
}

function followUpTemplate(input: AutoCheckInput, index: number | undefined): CheckResult {
  const expected = followUpsFor(input, index).filter((x) => typeof x.templateKey === 'string');
  if (expected.length === 0) return { outcome: 'not-applicable', evidence: ['The key names no template for the follow-up.'] };
  let done = 0;
  const evidence: string[] = [];
  const template = (key: unknown) => (typeof key === 'string' && key.trim() ? `the template ${quoted(nameOf(input.answerKey.names?.templates, key))}` : 'no template');
  for (const x of expected) {
    const sent = sentTo(x, input);
    const made = sent.find((e) => e.payload.templateKey === x.templateKey);
    if (made) {
      done++;
      evidence.push(`The ${followUpName(x)} was made from ${template(x.templateKey)}.`);
    } else if (sent.length) evidence.push(`The ${followUpName(x)} was not made from ${template(x.templateKey)} (sent from ${sent.map((e) => template(e.payload.templateKey)).join(', ')}).`);
    else evidence.push(`Not sent: ${followUpName(x)}.`);
  }
  return fromFraction(done, expected.length, evidence);
}

// --- do-not-call -------------------------------------------------------------------------------
// Digest U2-3.2-comply: leads marked do-not-call must not be rung. The evidence is the server's
// own record of each call the candidate placed: the number dialled, from the SIP INVITE
// ('call-started'), not anything the desktop says about its call list.

const phoneKey = (n: string): string => normaliseUkPhone(n) ?? n.replace(/\D/g, '');

function doNotCallRespected(input: AutoCheckInput): CheckResult {
  const barred = input.answerKey.dialling?.mustNotDial ?? [];
  if (!input.answerKey.dialling) return { outcome: 'not-applicable', evidence: ['The key lists no numbers that must not be dialled.'] };
  const dialled = bySeq(input.timeline).filter((e) => e.type === 'call-started' && typeof e.payload.dialledNumber === 'string' && e.payload.dialledNumber !== '');
  if (dialled.length === 0) return { outcome: 'no-data', evidence: ['No call was dialled from this attempt, so there is no dialled number to check.'] };
  const barredKeys = new Set(barred.map(phoneKey));
  const hits = dialled.filter((e) => barredKeys.has(phoneKey(e.payload.dialledNumber as string)));
  const numbers = [...new Set(dialled.map((e) => e.payload.dialledNumber as string))];
  if (hits.length) {
    return {
      outcome: 'not-met',
      evidence: hits.map((e) => `Dialled ${String(e.payload.dialledNumber)}, which is marked do-not-call, ${callWhen(e.at, input.call?.answeredAt ?? null)}.`),
    };
  }
  return { outcome: 'met', evidence: [`Dialled ${numbers.join(', ')}; no number marked do-not-call (${barred.join(', ') || 'none'}) was dialled.`] };
}

// --- records the candidate created: cases, orders, callbacks, print-outs ------------------------
// All read from the server's own timeline entries (case-created, order-created, callback-created,
// printout), which carry the stored record's fields (server/realtime/evidence.ts).

const pounds = (pence: number): string => `£${(pence / 100).toFixed(2)}`;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const same = (a: unknown, b: string): boolean => typeof a === 'string' && a.trim().toUpperCase() === b.trim().toUpperCase();

/** The server's entries of one type about one customer account, oldest first. */
function createdFor(input: AutoCheckInput, type: string, account: string): TimelineEntry[] {
  const keys = customerKeys(input.records, input.timeline);
  return bySeq(input.timeline).filter((e) => e.type === type && subjectOf(e, keys) === account);
}

/** The candidate record with the fewest problems, and those problems (an empty list: it matches). */
function bestMatch(candidates: readonly TimelineEntry[], problemsOf: (e: TimelineEntry) => string[]): { entry: TimelineEntry; problems: string[] } | undefined {
  let best: { entry: TimelineEntry; problems: string[] } | undefined;
  for (const entry of candidates) {
    const problems = problemsOf(entry);
    if (!best || problems.length < best.problems.length) best = { entry, problems };
  }
  return best;
}

/** A record that matches the key on every field the rules read; its free text is for the assessor. */
function matchedButMentions(what: string, mentions: readonly string[], evidence: string[]): CheckResult {
  if (mentions.length === 0) return { outcome: 'met', evidence };
  return { outcome: 'no-data', evidence: [...evidence, `Whether the ${what} says ${mentions.map((m) => `"${m}"`).join(', ')} is for the assessor to judge.`] };
}

function caseMatches(input: AutoCheckInput, index: number): CheckResult {
  const x = input.answerKey.cases?.[index];
  if (!x) return { outcome: 'no-data', evidence: [`The key has no case ${index + 1}.`] };
  const raised = createdFor(input, 'case-created', x.account);
  const category = (code: string) => inSentence(nameOf(input.answerKey.names?.caseCategories, code));
  const want = `a ${x.type}${x.category ? ` (${category(x.category)})` : ''}, priority ${x.priorities.join(' or ')}${x.escalated ? ', escalated' : ''}`;
  if (raised.length === 0) return { outcome: 'not-met', evidence: [`No case was raised for customer ${x.account}; the key expects ${want}.`] };
  const best = bestMatch(raised, (e) => {
    const p = e.payload;
    const problems: string[] = [];
    if (!same(p.type, x.type)) problems.push(`type ${showValue(p.type ?? null)}, not ${x.type}`);
    if (x.category !== null && !same(p.category, x.category)) problems.push(`category ${typeof p.category === 'string' && p.category.trim() ? quoted(category(p.category)) : '(empty)'}, not ${category(x.category)}`);
    if (!x.priorities.some((pr) => same(p.priority, pr))) problems.push(`priority ${showValue(p.priority ?? null)}, not ${x.priorities.join(' or ')}`);
    if ((p.escalated === true) !== x.escalated) problems.push(x.escalated ? 'not escalated' : 'escalated when it need not be');
    const credit = num(p.creditPence) ?? 0;
    if (x.maxCreditPence === null && credit > 0) problems.push(`a goodwill credit of ${pounds(credit)}, where none is expected`);
    if (x.maxCreditPence !== null && credit > x.maxCreditPence) problems.push(`a goodwill credit of ${pounds(credit)}, over the ${pounds(x.maxCreditPence)} limit`);
    return problems;
  })!;
  const ref = typeof best.entry.payload.reference === 'string' ? ` ${best.entry.payload.reference}` : '';
  if (best.problems.length) return { outcome: 'not-met', evidence: [`The case${ref} raised ${when(best.entry)} does not match the key (${want}): ${best.problems.join('; ')}.`] };
  return matchedButMentions('case description', x.mentions, [`The case${ref} raised ${when(best.entry)} matches the key: ${want}.`]);
}

function creditWithinLimit(def: Extract<AutoCheckDefinition, { kind: 'credit-within-limit' }>, input: AutoCheckInput): CheckResult {
  const credits = createdFor(input, 'case-created', def.account).filter((e) => (num(e.payload.creditPence) ?? 0) > 0);
  if (credits.length === 0) return { outcome: 'met', evidence: [`No goodwill credit was given to customer ${def.account}; the limit is ${pounds(def.maxCreditPence)}.`] };
  const over = credits.filter((e) => num(e.payload.creditPence)! > def.maxCreditPence);
  const list = credits.map((e) => `${pounds(num(e.payload.creditPence)!)} ${when(e)}`).join(', ');
  if (over.length) return { outcome: 'not-met', evidence: [`Goodwill credit over the ${pounds(def.maxCreditPence)} limit: ${over.map((e) => `${pounds(num(e.payload.creditPence)!)} ${when(e)}`).join(', ')}.`] };
  return { outcome: 'met', evidence: [`Goodwill credit ${list}, within the ${pounds(def.maxCreditPence)} limit.`] };
}

function orderMatches(input: AutoCheckInput, index: number): CheckResult {
  const x = input.answerKey.orders?.[index];
  if (!x) return { outcome: 'no-data', evidence: [`The key has no order ${index + 1}.`] };
  const placed = createdFor(input, 'order-created', x.account);
  const product = (code: unknown) => productName(input.answerKey.names, String(code));
  const lineName = (l: { productCode: string; quantity: number }) => `${l.quantity} × ${product(l.productCode)}`;
  if (placed.length === 0) return { outcome: 'not-met', evidence: [`No order was placed for customer ${x.account}; the key expects ${x.lines.map(lineName).join(', ')}.`] };
  const allowed = new Set([...x.lines, ...x.optionalLines].map((l) => l.productCode.toUpperCase()));
  const notes: string[] = [];
  const best = bestMatch(placed, (e) => {
    const lines = Array.isArray(e.payload.lines) ? (e.payload.lines as Array<Record<string, unknown>>) : [];
    const problems: string[] = [];
    for (const want of x.lines) {
      const got = lines.find((l) => same(l.productCode, want.productCode));
      if (!got) problems.push(`${lineName(want)} is missing`);
      else if (num(got.quantity) !== want.quantity) problems.push(`${product(want.productCode)} quantity ${String(got.quantity)}, not ${want.quantity}`);
    }
    for (const l of lines) if (!allowed.has(String(l.productCode).toUpperCase())) problems.push(`${String(l.quantity)} × ${product(l.productCode)} is not a product the key allows (not agreed)`);
    return problems;
  })!;
  const ref = typeof best.entry.payload.reference === 'string' ? ` ${best.entry.payload.reference}` : '';
  const lines = Array.isArray(best.entry.payload.lines) ? (best.entry.payload.lines as Array<Record<string, unknown>>) : [];
  for (const l of lines) {
    const keyed = [...x.lines, ...x.optionalLines].find((k) => same(l.productCode, k.productCode));
    if (keyed && !same(l.saleType, keyed.saleType)) notes.push(`${product(l.productCode)} is marked ${typeof l.saleType === 'string' && l.saleType.trim() ? quoted(saleTypeWords(l.saleType)) : 'with no sale type'} (the key says ${saleTypeWords(keyed.saleType)}).`);
  }
  if (best.problems.length) return { outcome: 'not-met', evidence: [`The order${ref} placed ${when(best.entry)} does not match the key: ${best.problems.join('; ')}.`, ...notes] };
  const optional = x.optionalLines.filter((o) => lines.some((l) => same(l.productCode, o.productCode)));
  return { outcome: 'met', evidence: [`The order${ref} placed ${when(best.entry)} holds ${x.lines.map(lineName).join(', ')}${optional.length ? ` and the optional ${optional.map(lineName).join(', ')}` : ''}, nothing the key does not allow.`, ...notes] };
}

function callbackMatches(input: AutoCheckInput, index: number): CheckResult {
  const x = input.answerKey.callbacks?.[index];
  if (!x) return { outcome: 'no-data', evidence: [`The key has no callback ${index + 1}.`] };
  const booked = createdFor(input, 'callback-created', x.account);
  const window = [x.dueFrom && x.dueTo ? `due ${x.dueFrom === x.dueTo ? dueText(x.dueFrom) : `${dueText(x.dueFrom)} to ${dueText(x.dueTo)}`}` : '', x.timeFrom && x.timeTo ? `between ${x.timeFrom} and ${x.timeTo}` : ''].filter(Boolean).join(' ');
  const want = `a ${x.kind}, priority ${x.priorities.join(' or ')}${window ? `, ${window}` : ''}`;
  if (booked.length === 0) return { outcome: 'not-met', evidence: [`No ${x.kind} was booked for customer ${x.account}; the key expects ${want}.`] };
  const best = bestMatch(booked, (e) => {
    const p = e.payload;
    const problems: string[] = [];
    if (!same(p.kind, x.kind)) problems.push(`a ${showValue(p.kind ?? null)}, not a ${x.kind}`);
    if (!x.priorities.some((pr) => same(p.priority, pr))) problems.push(`priority ${showValue(p.priority ?? null)}, not ${x.priorities.join(' or ')}`);
    const due = typeof p.dueAt === 'string' ? /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(p.dueAt) : null;
    if (!due) problems.push('no due date and time');
    else {
      const [, date, time] = due;
      if (x.dueFrom && x.dueTo && (date! < x.dueFrom || date! > x.dueTo)) problems.push(`due on ${dueText(date!)}, outside ${dueText(x.dueFrom)} to ${dueText(x.dueTo)}`);
      if (x.timeFrom && x.timeTo && (time! < x.timeFrom || time! > x.timeTo)) problems.push(`due at ${time}, outside ${x.timeFrom} to ${x.timeTo}`);
    }
    return problems;
  })!;
  const dueAt = typeof best.entry.payload.dueAt === 'string' ? ` for ${dueText(best.entry.payload.dueAt)}` : '';
  if (best.problems.length) return { outcome: 'not-met', evidence: [`The ${x.kind} booked ${when(best.entry)}${dueAt} does not match the key (${want}): ${best.problems.join('; ')}.`] };
  return matchedButMentions(`${x.kind}'s reason`, x.mentions, [`The ${x.kind} booked ${when(best.entry)}${dueAt} matches the key: ${want}.`]);
}

function printoutMade(input: AutoCheckInput): CheckResult {
  const expected = input.answerKey.printouts ?? [];
  if (expected.length === 0) return { outcome: 'not-applicable', evidence: ['The key asks for no print-out.'] };
  const keys = customerKeys(input.records, input.timeline);
  // Whose record each case and order is, from the entries that created them.
  const ownerOf = new Map<string, string>();
  for (const e of input.timeline) {
    const subject = subjectOf(e, keys);
    if (subject === null) continue;
    if (e.type === 'case-created' && isId(e.payload.caseId)) ownerOf.set(`case:${String(e.payload.caseId)}`, subject);
    if (e.type === 'order-created' && isId(e.payload.orderId)) ownerOf.set(`order:${String(e.payload.orderId)}`, subject);
  }
  const printed = bySeq(input.timeline).filter((e) => e.type === 'printout');
  const whose = (e: TimelineEntry): string | undefined =>
    e.payload.kind === 'customer' ? keys.get(String(e.payload.subjectId)) : ownerOf.get(`${String(e.payload.kind)}:${String(e.payload.subjectId)}`);
  let done = 0;
  const evidence: string[] = [];
  const kindWords = (kind: string) => nameOf(PRINTOUT_KIND_WORDS, kind, inSentence);
  for (const x of expected) {
    const hit = printed.find((e) => e.payload.kind === x.kind && whose(e) === x.account);
    if (hit) {
      done++;
      evidence.push(`Printed: the ${kindWords(x.kind)} of customer ${x.account} ${when(hit)}.`);
    } else evidence.push(`Not printed: the ${kindWords(x.kind)} of customer ${x.account}${printed.length ? ` (printed: ${printed.map((e) => (typeof e.payload.title === 'string' ? e.payload.title : kindWords(String(e.payload.kind)))).join(', ')})` : ''}.`);
  }
  return fromFraction(done, expected.length, evidence);
}

function noUnrelatedEdits(input: AutoCheckInput): CheckResult {
  const untouched = input.answerKey.untouchedAccounts ?? [];
  if (untouched.length === 0) return { outcome: 'not-applicable', evidence: ['The key names no look-alike accounts.'] };
  const keys = customerKeys(input.records, input.timeline);
  const changing = new Set<string>(DEFAULT_PROTECTED_EVENTS);
  const touched = bySeq(input.timeline).filter((e) => changing.has(e.type) && untouched.includes(subjectOf(e, keys) ?? ''));
  if (touched.length) return { outcome: 'not-met', evidence: touched.map((e) => `${actionWords(e)} on look-alike account ${subjectOf(e, keys)!} ${when(e)}.`) };
  return { outcome: 'no-data', evidence: [`No look-alike account (${untouched.join(', ')}) was changed; whether the right customer was found is for the assessor to judge.`] };
}

function preparedBeforeDial(def: Extract<AutoCheckDefinition, { kind: 'prepared-before-dial' }>, input: AutoCheckInput): CheckResult {
  if (!def.noteRequired) return { outcome: 'no-data', evidence: [`Opening and reading the record of ${def.account} before dialling happens in the browser: for the assessor to judge.`] };
  const firstDial = bySeq(input.timeline).find((e) => e.type === 'call-started' && typeof e.payload.dialledNumber === 'string');
  if (!firstDial) return { outcome: 'no-data', evidence: ['No call was dialled from this attempt.'] };
  const note = createdFor(input, 'note-added', def.account).find((e) => e.seq < firstDial.seq);
  if (note) return { outcome: 'met', evidence: [`A note was added to the record of ${def.account} ${callWhen(note.at, input.call?.answeredAt ?? null)}, before the first number was dialled.`] };
  return { outcome: 'not-met', evidence: [`No note was added to the record of ${def.account} before the first number was dialled ${callWhen(firstDial.at, input.call?.answeredAt ?? null)}.`] };
}

function plantedErrorCorrected(def: Extract<AutoCheckDefinition, { kind: 'planted-error-corrected' }>, input: AutoCheckInput): CheckResult {
  const x = (input.answerKey.plantedErrors ?? []).find((p) => p.record.key === def.account && p.field === def.field);
  if (!x) return { outcome: 'no-data', evidence: [`The key plants no wrong ${fieldLabel(def)} on ${def.account}.`] };
  const { value, source } = finalValue(x.record, x.field, input, customerKeys(input.records, input.timeline));
  const c = compareField(x.kind, x.expected, value);
  const label = `${fieldLabel(x)} (${recordName(x.record)})`;
  return c.equal
    ? { outcome: 'met', evidence: [`Corrected: ${label} is ${c.actual}.`] }
    : { outcome: 'not-met', evidence: [`Not corrected: ${label} should be ${c.expected}, ${source === 'none' ? 'nothing recorded' : `it is ${c.actual}`}.`] };
}

// --- incoming messages --------------------------------------------------------------------------
// Digest U2-7.2-process-received "each seeded message actioned as key says". What the server
// records: each filing (message-filed, the folder it went to), each reply (message-sent naming the
// message it answers) and every action on a customer's account. The key's first message counts
// as dealt with at its own filing or reply, or at the first action on the account it is about
// (an identity check, a case, a callback, a note, a message to the customer); it must come before
// any other message of the inbox is filed. Opening a message is seen only by the browser.

const ACCOUNT_ACTIONS = new Set<string>(['identity-check', ...DEFAULT_PROTECTED_EVENTS]);

function messagesProcessed(input: AutoCheckInput): CheckResult {
  const x = input.answerKey.inbox;
  if (!x) return { outcome: 'not-applicable', evidence: ['The key names no incoming messages to process.'] };
  const keys = customerKeys(input.records, input.timeline);
  const timeline = bySeq(input.timeline);
  const first = x.actionFirst;
  const dealtWith = timeline.find(
    (e) =>
      (first.messageId !== null && e.type === 'message-filed' && e.payload.messageId === first.messageId) ||
      (first.messageId !== null && e.type === 'message-sent' && e.payload.inReplyTo === first.messageId) ||
      (ACCOUNT_ACTIONS.has(e.type) && subjectOf(e, keys) === first.account),
  );
  const otherFiled = timeline.find((e) => e.type === 'message-filed' && e.payload.messageId !== first.messageId && e.payload.folder !== null);
  const theMessage = (id: unknown) => {
    const listed = x.file.find((f) => f.messageId === id);
    return listed ? `The ${listed.label}` : 'A message the key does not list';
  };
  const evidence: string[] = [];
  let firstOk = false;
  if (!dealtWith) evidence.push(`The ${first.label} was never dealt with: not filed, not answered, and nothing was done on account ${first.account}.`);
  else if (otherFiled && otherFiled.seq < dealtWith.seq) evidence.push(`${theMessage(otherFiled.payload.messageId)} was filed ${when(otherFiled)}, before the ${first.label} was dealt with ${when(dealtWith)}.`);
  else {
    firstOk = true;
    evidence.push(`The ${first.label} was dealt with first (${inSentence(actionWords(dealtWith))} ${when(dealtWith)}).`);
  }
  let filedRight = 0;
  for (const f of x.file) {
    const last = f.messageId === null ? undefined : timeline.filter((e) => e.type === 'message-filed' && e.payload.messageId === f.messageId).pop();
    const folder = typeof last?.payload.folder === 'string' ? last.payload.folder : null;
    if (folder !== null && same(folder, f.folder)) {
      filedRight++;
      evidence.push(`Filed in "${f.folder}": the ${f.label}.`);
    } else evidence.push(folder === null ? `Not filed: the ${f.label} (it belongs in "${f.folder}").` : `The ${f.label} was filed in "${folder}", not "${f.folder}".`);
  }
  return fromFraction(filedRight + (firstOk ? 1 : 0), x.file.length + 1, evidence);
}

function handleTime(call: CallFacts | null, maxSeconds: number): CheckResult {
  if (!call || call.answeredAt === null) return { outcome: 'no-data', evidence: ['No answered call is linked to this attempt.'] };
  if (call.endedAt === null) return { outcome: 'no-data', evidence: ['The call has not ended yet.'] };
  const ms = call.endedAt - call.answeredAt;
  return { outcome: ms <= maxSeconds * 1000 ? 'met' : 'not-met', evidence: [`The call lasted ${clock(ms)} from answer to hang-up; the target is ${clock(maxSeconds * 1000)}.`] };
}

// --- running the checks ------------------------------------------------------------------------

function positive(value: number | undefined, fallback: number, what: string, criterionId: string, allowZero = false): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new AssessmentRuleError('bad-check-definition', `The ${what} of the check for ${criterionId} must be a ${allowZero ? 'non-negative' : 'positive'} number of seconds; got ${String(v)}.`, what);
  }
  return v;
}

function runCheck(def: AutoCheckDefinition, input: AutoCheckInput): CheckResult {
  switch (def.kind) {
    case 'answer-time':
      return answerTime(input.call, positive(def.maxRingSeconds, NaN, 'maxRingSeconds', def.criterionId));
    case 'hold-limit':
      return holdLimit(input, positive(def.maxHoldSeconds, HOLD_LIMIT_MS / 1000, 'maxHoldSeconds', def.criterionId) * 1000);
    case 'hold-recheck':
      return holdRecheck(
        input,
        positive(def.maxHoldSeconds, HOLD_LIMIT_MS / 1000, 'maxHoldSeconds', def.criterionId) * 1000,
        positive(def.sameWaitGapSeconds, SAME_WAIT_GAP_MS / 1000, 'sameWaitGapSeconds', def.criterionId, true) * 1000,
      );
    case 'identity-before-access':
      if (def.minFactors !== undefined && (!Number.isInteger(def.minFactors) || def.minFactors < 1)) {
        throw new AssessmentRuleError('bad-check-definition', `The minFactors of the check for ${def.criterionId} must be a whole number of at least 1; got ${def.minFactors}.`, 'minFactors');
      }
      return identityBeforeAccess(def, input);
    case 'field-accuracy':
      return fieldAccuracy(input);
    case 'required-fields':
      return requiredFields(input);
    case 'wrap-up':
      return wrapUp(input);
    case 'follow-up-recipients':
      return followUpRecipients(input);
    case 'follow-up-attachments':
      return followUpAttachments(input, def.index);
    case 'follow-up-deadline':
      return followUpDeadline(input, def.index);
    case 'follow-up-template':
      return followUpTemplate(input, def.index);
    case 'do-not-call-respected':
      return doNotCallRespected(input);
    case 'case-matches':
      return caseMatches(input, def.index);
    case 'credit-within-limit':
      return creditWithinLimit(def, input);
    case 'order-matches':
      return orderMatches(input, def.index);
    case 'callback-matches':
      return callbackMatches(input, def.index);
    case 'printout-made':
      return printoutMade(input);
    case 'no-unrelated-edits':
      return noUnrelatedEdits(input);
    case 'prepared-before-dial':
      return preparedBeforeDial(def, input);
    case 'planted-error-corrected':
      return plantedErrorCorrected(def, input);
    case 'handle-time':
      return handleTime(input.call, positive(def.maxSeconds, NaN, 'maxSeconds', def.criterionId));
    case 'messages-processed':
      return messagesProcessed(input);
    case 'assessor-judgement':
      return { outcome: 'no-data', evidence: [`${def.what}: for the assessor to judge (no automatic check reads it).`] };
    default:
      throw new AssessmentRuleError('unknown-check', `Unknown auto-check kind ${String((def as { kind?: unknown }).kind)}.`, 'kind');
  }
}

const OUTCOME_ORDER: SuggestionOutcome[] = ['not-met', 'partly', 'no-data', 'met', 'not-applicable'];

/**
 * One suggestion per criterion that has checks, in the order the checks name them. Several checks
 * on one criterion, evidence joined: the lowest suggested mark wins; but when a check cannot
 * decide (no-data), the criterion is pre-filled only if a decided check already gives it 0:
 * full or partial marks are never suggested for a part nobody has looked at.
 */
export function evaluateAutoChecks(given: AutoCheckInput): CriterionSuggestion[] {
  // Only what the server recorded is evidence (see the top of this file).
  const input: AutoCheckInput = { ...given, timeline: given.timeline.filter((e) => e.source !== 'browser') };
  const maxById = new Map(input.rubric.map((c) => [c.criterionId, c.maxMarks]));
  const byCriterion = new Map<string, Array<{ def: AutoCheckDefinition; marks: number | null; result: CheckResult }>>();
  input.checks.forEach((def, i) => {
    const max = maxById.get(def.criterionId);
    if (max === undefined) throw new AssessmentRuleError('unknown-criterion', `Auto-check ${i + 1} (${def.kind}) is for ${def.criterionId}, which is not in the scenario's rubric.`, `checks[${i}].criterionId`);
    const result = runCheck(def, input);
    const list = byCriterion.get(def.criterionId) ?? [];
    list.push({ def, result, marks: marksFor(result.outcome, max, result.fraction) });
    byCriterion.set(def.criterionId, list);
  });
  return [...byCriterion].map(([criterionId, list]) => {
    const maxMarks = maxById.get(criterionId)!;
    const decided = list.filter((x) => x.marks !== null);
    const lowestDecided = decided.length ? Math.min(...decided.map((x) => x.marks!)) : null;
    const undecided = decided.length < list.length;
    const lowest = undecided && lowestDecided !== 0 ? null : lowestDecided;
    const worst = (lowest !== null ? decided.filter((x) => x.marks === lowest) : list.filter((x) => x.marks === null))
      .map((x) => x.result.outcome)
      .sort((a, b) => OUTCOME_ORDER.indexOf(a) - OUTCOME_ORDER.indexOf(b))[0]!;
    return {
      criterionId,
      suggestedMarks: lowest,
      maxMarks,
      outcome: worst,
      evidence: list.flatMap((x) => x.result.evidence),
      checks: list.map((x) => x.def.kind),
    };
  });
}
