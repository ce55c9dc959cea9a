// GET /api/attempts/:id/timeline: the attempt's timeline as recorded (server-recorded and
// browser-reported events, server/realtime/), a page at a time, in the attempt scope
// (attempt-scope.ts). Who may read it is who may watch it over socket.io ('timeline:watch'): the
// attempt's supervisors. Wire type: TimelineResponse (server/protocol/timeline.ts).
import { z } from 'zod';
import type { Repositories } from '../db/repositories/index.js';
import { TIMELINE_PAGE_DEFAULT, TIMELINE_PAGE_MAX, type TimelineResponse } from '../protocol/timeline.js';
import { toWire } from '../realtime/evidence.js';
import { attemptOf, attemptParams, type AttemptScope } from './attempt-scope.js';
import { timelineResponse } from './moderation-responses.js';

/** Who watches an attempt's timeline: its supervisors (the rule of 'timeline:watch', server/realtime/timeline.ts). */
const WATCHERS = { access: ['assessor', 'moderator', 'admin'], attempt: { use: 'supervise' } } as const;

// Query strings stay strings here (no type coercion in this app): whole numbers by pattern.
const wholeNumber = z.string().regex(/^[0-9]{1,9}$/, 'Give a whole number.');
const timelineQuery = z
  .object({
    afterSeq: wholeNumber.optional(),
    limit: wholeNumber.refine((n) => Number(n) >= 1 && Number(n) <= TIMELINE_PAGE_MAX, `limit must be from 1 to ${TIMELINE_PAGE_MAX}.`).optional(),
  })
  .strict();

/** Registered in the attempt scope (attempt-scope.ts), under /api/attempts/:id. */
export function registerTimelineRoutes(scope: AttemptScope, opts: { repos: Repositories }): void {
  const { repos } = opts;
  scope.get('/timeline', { config: WATCHERS, schema: { params: attemptParams, querystring: timelineQuery, response: { 200: timelineResponse } } }, async (request): Promise<TimelineResponse> => {
    const attempt = attemptOf(request);
    const limit = request.query.limit === undefined ? TIMELINE_PAGE_DEFAULT : Number(request.query.limit);
    // One more than asked for says whether another page follows.
    const events = repos.attemptEvents.list(attempt.id, { afterSeq: Number(request.query.afterSeq ?? 0), limit: limit + 1 }).map(toWire);
    if (events.length <= limit) return { events };
    const page = events.slice(0, limit);
    return { events: page, nextAfterSeq: page[page.length - 1]!.seq };
  });
}
