// The sitting screens' pure parts: the clock counting from the server's reading, which sitting a
// candidate sees, and where a server error of the marks API is shown.
import { describe, expect, it } from 'vitest';
import type { CriterionMarkView, SittingClockView, SittingSummary } from '../../server/protocol/assessment.js';
import { errorKey } from '../../client/src/marking/MarkingForm.js';
import { pickSitting } from '../../client/src/sitting/CandidateSitting.js';
import { candidateChoices } from '../../client/src/sitting/candidate-choice.js';
import { advance, durationWords, formatDuration } from '../../client/src/sitting/SittingClock.js';

const reading = (over: Partial<SittingClockView>): SittingClockView => ({
  state: 'running',
  allowedMs: 60 * 60_000,
  elapsedMs: 0,
  remainingMs: 60 * 60_000,
  overrunMs: 0,
  readAt: 1_700_000_000_000,
  deadline: null,
  ...over,
});

describe('sitting clock', () => {
  it('counts down from the reading and turns to time up with the overrun', () => {
    const r = reading({ elapsedMs: 59 * 60_000, remainingMs: 60_000 });
    expect(advance(r, 30_000)).toMatchObject({ state: 'running', remainingMs: 30_000, overrunMs: 0 });
    expect(advance(r, 60_000)).toMatchObject({ state: 'time-up', remainingMs: 0, overrunMs: 0 });
    expect(advance(r, 75_500)).toMatchObject({ state: 'time-up', remainingMs: 0, overrunMs: 15_500 });
  });
  it('does not move when paused, not started or ended', () => {
    for (const state of ['paused', 'not-started', 'ended'] as const) {
      const r = reading({ state, elapsedMs: 10_000, remainingMs: 3_590_000 });
      expect(advance(r, 120_000)).toMatchObject({ state, elapsedMs: 10_000, remainingMs: 3_590_000 });
    }
  });
  it('formats as mm:ss (minutes past 59) and in words', () => {
    expect(formatDuration(66 * 60_000 + 5_999)).toBe('66:05');
    expect(formatDuration(-5)).toBe('00:00');
    expect(durationWords(61_000)).toBe('1 minute 1 second');
    expect(durationWords(0)).toBe('0 seconds');
  });
});

describe('the candidate’s sitting', () => {
  const s = (id: string, status: SittingSummary['status'], over: Partial<SittingSummary> = {}): SittingSummary => ({
    id,
    centreId: 1,
    centreName: 'Centre',
    candidate: { id: 1, name: 'C' },
    assessor: null,
    status,
    scheduledFor: null,
    startedAt: null,
    endedAt: null,
    createdAt: 0,
    assignmentsTaken: [],
    ...over,
  });
  it('is never a cancelled one: a sitting called off does not take over the candidate’s page', () => {
    expect(pickSitting([s('a', 'ended', { endedAt: 5 }), s('x', 'cancelled', { scheduledFor: 1 })])?.id).toBe('a');
    expect(pickSitting([s('x', 'cancelled')])).toBeUndefined();
  });
  it('is the one in progress, else the next planned, else the latest', () => {
    expect(pickSitting([s('a', 'ended', { endedAt: 5 }), s('b', 'in-progress', { startedAt: 1 }), s('c', 'scheduled')])?.id).toBe('b');
    expect(pickSitting([s('a', 'ended', { endedAt: 5 }), s('c', 'scheduled', { scheduledFor: 9 }), s('d', 'scheduled', { scheduledFor: 3 })])?.id).toBe('d');
    expect(pickSitting([s('a', 'ended', { endedAt: 5 }), s('e', 'ended', { endedAt: 7 })])?.id).toBe('e');
    expect(pickSitting([])).toBeUndefined();
    // One with no planned time counts as planned for now: before one planned for later.
    expect(pickSitting([s('later', 'scheduled', { scheduledFor: 2_000 }), s('now', 'scheduled')], 1_000)?.id).toBe('now');
    // An ended sitting still waiting for the candidate's end declaration comes before planned ones.
    expect(pickSitting([s('next', 'scheduled'), s('done', 'ended', { endedAt: 5, declarationDue: 'end' })])?.id).toBe('done');
  });
});

describe('marking errors', () => {
  const criteria = [{ criterionId: 'U2-1.1-answer-time' }, { criterionId: 'U2-1.2-read-back' }] as CriterionMarkView[];
  const sent = [{ criterionId: 'U2-1.2-read-back', mark: 0 }];
  it('finds the criterion and the part a field names', () => {
    expect(errorKey('marks.0.overrideReason', sent, criteria)).toBe('U2-1.2-read-back.overrideReason');
    expect(errorKey('marks[0].mark', sent, criteria)).toBe('U2-1.2-read-back.mark');
    expect(errorKey('marks.0', sent, criteria)).toBe('U2-1.2-read-back.mark');
    expect(errorKey('U2-1.1-answer-time', sent, criteria)).toBe('U2-1.1-answer-time.mark');
    expect(errorKey('U2-1.1-answer-time.comment', sent, criteria)).toBe('U2-1.1-answer-time.comment');
    expect(errorKey('reason', sent, criteria)).toBe('reason');
    expect(errorKey(undefined, sent, criteria)).toBe('form');
    expect(errorKey('something', sent, criteria)).toBe('form');
  });
});

describe('the candidate picker of a new sitting', () => {
  const c = (userId: number, displayName: string, username: string, candidateNumber: string | null, centreName = 'Northgate College') => ({ userId, displayName, username, candidateNumber, centreName });
  it('names each candidate with what the centre tells them apart by: the candidate number, else the username; never an extension', () => {
    const choices = candidateChoices([c(7, 'Jane Hughes', 'jhughes', '0042'), c(9, 'Jane Hughes', 'jhughes2', null), c(3, 'Amir Khan', 'akhan', '0007')]);
    expect(choices).toEqual([
      { userId: 3, label: 'Amir Khan · candidate number 0007' },
      { userId: 7, label: 'Jane Hughes · candidate number 0042' },
      { userId: 9, label: 'Jane Hughes · username jhughes2' },
    ]);
  });
  it('adds the centre only when the list spans more than one (an admin creates sittings in any centre)', () => {
    expect(candidateChoices([c(7, 'Jane Hughes', 'jhughes', '0042'), c(8, 'Jane Hughes', 'jh', '0042', 'Southfield Academy')]).map((x) => x.label)).toEqual([
      'Jane Hughes · candidate number 0042 · Northgate College',
      'Jane Hughes · candidate number 0042 · Southfield Academy',
    ]);
  });
});
