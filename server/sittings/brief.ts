// An attempt's briefs: the candidate's task card for everyone who may read the attempt, and the
// caller brief (persona, facts, cue cards) and the full title for staff only (the candidate reads
// the candidate-facing title). Facts given as a date relative to the
// sitting day are worked out here, from the day the sitting started (else was scheduled for, else
// the day the attempt began), so the assessor reads a real date.
import { candidateTitleOf } from '../assessment/candidate-title.js';
import type { Scenario } from '../assessment/scenario-schema.js';
import type { Attempt } from '../db/repositories/attempts.js';
import type { Repositories } from '../db/repositories/index.js';
import type { AttemptBrief, CallerBriefView } from '../protocol/assessment.js';
import type { SessionUser } from '../protocol/roles.js';
import { addDays, formatLongDate, isoDate, ukDate } from './relative-dates.js';

export function sittingDayOf(repos: Repositories, attempt: Attempt): number {
  const sitting = attempt.sittingId ? repos.sittings.findById(attempt.sittingId) : undefined;
  return sitting?.startedAt ?? sitting?.scheduledFor ?? attempt.createdAt;
}

export function callerBrief(scenario: Scenario, sittingDay: number): CallerBriefView {
  const day = ukDate(sittingDay);
  const b = scenario.callerBrief;
  return {
    persona: {
      name: b.persona.name,
      ...(b.persona.accountNumber ? { accountNumber: b.persona.accountNumber } : {}),
      phone: b.persona.phone,
      description: b.persona.description,
    },
    situation: b.situation,
    openingLine: b.openingLine,
    facts: b.facts.map((f) => {
      if (f.date === undefined) return { key: f.key, label: f.label, value: f.value ?? '', giveWhen: f.giveWhen };
      const d = addDays(day, f.date.days, f.date.workingDays);
      return { key: f.key, label: f.label, value: formatLongDate(d), date: isoDate(d), giveWhen: f.giveWhen };
    }),
    cues: b.cues.map((c) => ({ id: c.id, when: c.when, prompt: c.prompt, tests: c.tests })),
    objections: b.objections,
    buyingSignals: b.buyingSignals,
    emotionalArc: b.emotionalArc,
    holdTolerance: b.holdTolerance,
    endWhen: b.endWhen,
    neverVolunteer: b.neverVolunteer,
    sittingDay: isoDate(day),
  };
}

export function attemptBrief(repos: Repositories, attempt: Attempt, scenario: Scenario, viewer: SessionUser): AttemptBrief {
  const staff = viewer.role !== 'candidate';
  const outbound = scenario.direction === 'outbound';
  const sitting = attempt.sittingId ? repos.sittings.findById(attempt.sittingId) : undefined;
  // The candidate dials the customer's own phone number, as on the customer's record; the B2BUA
  // routes a number dialled from an open attempt to the assessor who plays the customer
  // (server/sip/b2bua.ts). Only when an assessor is there to take it, and never an extension.
  const assessorId = sitting?.assessorUserId ?? attempt.assessorUserId;
  const dialNumber = outbound && assessorId !== null ? scenario.callerBrief.persona.phone : null;
  const c = scenario.candidateBrief;
  return {
    attemptId: attempt.id,
    sittingId: attempt.sittingId,
    scenarioKey: scenario.key,
    // The staff title may name the caller and what the candidate must find out.
    title: staff ? scenario.title : candidateTitleOf(scenario),
    candidateTitle: candidateTitleOf(scenario),
    direction: scenario.direction,
    candidateBrief: { role: c.role, situation: c.situation, tasks: c.tasks, afterCall: c.afterCall, resources: c.resources },
    dialNumber,
    ...(staff
      ? {
          callerBrief: callerBrief(scenario, sittingDayOf(repos, attempt)),
          // Inbound: the assessor's call presents the persona's number (it is on the seed record).
          presentNumber: outbound ? null : scenario.callerBrief.persona.phone,
        }
      : {}),
  };
}
