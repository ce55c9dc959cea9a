// Electronic signatures on a sitting. A signature records who signed (user, role, name at the
// time), when (server clock), the words they signed, and WHAT they signed: the canonical JSON of
// the record concerned and its SHA-256, computed here from the database, never taken from the
// browser. What each kind signs:
//   candidate-declaration-start / -end  the declaration of authenticity (sitting, candidate, words)
//   assessor-mark-sheet, iqa-countersignature  the sitting's centre marks (marksRecord)
//   moderator-outcome                   the centre marks, the moderated marks and the outcome
// Each signature is also an audit_log row (hash-chained) written in the same transaction.
//
// FROZEN FORMAT (signature subject v1): signatures already given are checked again with these
// functions (stillMatches); never change what a record holds, add a v2.
import { canonicalJson, sha256Hex } from '../hash-chain.js';
import type { Repositories } from '../db/repositories/index.js';
import type { Signature } from '../db/repositories/assurance.js';
import type { Sitting } from '../db/repositories/sittings.js';
import type { SessionUser } from '../protocol/roles.js';
import type { SignatureKind, SignatureView } from '../protocol/assurance.js';
import { auditActor, auditSubject } from '../db/repositories/audit-log.js';

export const SIGNATURE_SUBJECT_VERSION = 1;

export interface MarksRecord {
  version: number;
  sittingId: string;
  centreId: number;
  candidateUserId: number;
  scenarioKeys: string[];
  attempts: Array<{
    attemptId: string;
    position: number | null;
    scenarioKey: string;
    variant: string | null;
    markedAt: number | null;
    centreMarks: Array<{ criterionId: string; mark: number; overrideReason: string | null }>;
  }>;
}

export interface ModerationRecord extends MarksRecord {
  moderatedMarks: Array<{ attemptId: string; criterionId: string; mark: number; reason: string }>;
  outcome: string;
  reason: string | null;
}

/** The sitting's centre marks, criterion by criterion, in a fixed order. */
export function marksRecord(repos: Repositories, sitting: Sitting): MarksRecord {
  return {
    version: SIGNATURE_SUBJECT_VERSION,
    sittingId: sitting.id,
    centreId: sitting.centreId,
    candidateUserId: sitting.candidateUserId,
    scenarioKeys: [...sitting.scenarioKeys],
    attempts: repos.attempts.forSitting(sitting.id).map((a) => ({
      attemptId: a.id,
      position: a.position,
      scenarioKey: a.scenarioKey,
      variant: a.variant,
      markedAt: a.markedAt,
      centreMarks: repos.attemptMarks
        .forAttempt(a.id)
        .map((m) => ({ criterionId: m.criterionId, mark: m.mark, overrideReason: m.overrideReason }))
        .sort((x, y) => (x.criterionId < y.criterionId ? -1 : x.criterionId > y.criterionId ? 1 : 0)),
    })),
  };
}

/** The centre marks, the moderated marks beside them, and the moderator's outcome. */
export function moderationRecord(repos: Repositories, sitting: Sitting, outcome: string, reason: string | null): ModerationRecord {
  const base = marksRecord(repos, sitting);
  return {
    ...base,
    moderatedMarks: base.attempts.flatMap((a) => repos.moderation.marksFor(a.attemptId).map((m) => ({ attemptId: a.attemptId, criterionId: m.criterionId, mark: m.mark, reason: m.reason }))),
    outcome,
    reason,
  };
}

export const declarationRecord = (sitting: Sitting, moment: 'start' | 'end', statement: string) => ({
  version: SIGNATURE_SUBJECT_VERSION,
  sittingId: sitting.id,
  candidateUserId: sitting.candidateUserId,
  moment,
  statement,
});

export const subjectHash = (subject: unknown): string => sha256Hex(canonicalJson(subject));

/** Stores a signature and its audit row; call inside the transaction of the step it belongs to. */
export function sign(repos: Repositories, sitting: Sitting, kind: SignatureKind, me: SessionUser, statement: string, subject: unknown, at: number): Signature {
  const subjectJson = canonicalJson(subject);
  const signature = repos.assurance.addSignature({
    sittingId: sitting.id,
    kind,
    userId: me.id,
    role: me.role,
    name: me.displayName,
    statement,
    subjectJson,
    subjectSha256: sha256Hex(subjectJson),
    signedAt: at,
  });
  repos.auditLog.append({
    at,
    actor: auditActor(me),
    ...auditSubject('sitting', sitting),
    action: 'sitting-signed',
    after: { signatureId: signature.id, kind, name: signature.name, statement, subjectSha256: signature.subjectSha256 },
  });
  return signature;
}

/** The record a signature of this kind signs, as it stands now (for stillMatches). */
function currentSubject(repos: Repositories, sitting: Sitting, s: Signature): unknown {
  switch (s.kind) {
    case 'candidate-declaration-start':
    case 'candidate-declaration-end':
      return declarationRecord(sitting, s.kind === 'candidate-declaration-start' ? 'start' : 'end', s.statement);
    case 'assessor-mark-sheet':
    case 'iqa-countersignature':
      return marksRecord(repos, sitting);
    case 'moderator-outcome': {
      const signed = s.subject as Partial<ModerationRecord>;
      return moderationRecord(repos, sitting, String(signed.outcome ?? ''), signed.reason ?? null);
    }
  }
}

export function signatureViews(repos: Repositories, sitting: Sitting): SignatureView[] {
  const steps = repos.assurance.steps(sitting.id);
  const returns = steps.filter((x) => x.action === 'return-to-assessor').map((x) => x.id);
  return repos.assurance.signatures(sitting.id).map((s) => {
    const step = steps.find((x) => x.signatureId === s.id);
    const superseded = step !== undefined && returns.some((r) => r > step.id);
    return {
      id: s.id,
      kind: s.kind,
      by: { id: s.userId, name: s.name, role: s.role },
      signedAt: s.signedAt,
      statement: s.statement,
      subjectSha256: s.subjectSha256,
      stillMatches: subjectHash(currentSubject(repos, sitting, s)) === s.subjectSha256,
      superseded,
    };
  });
}
