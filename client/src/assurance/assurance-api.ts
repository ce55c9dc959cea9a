// The client's calls to the quality-assurance API (server/protocol/assurance.ts): the only file of
// those screens that knows their URLs.
import type {
  CentrePeople,
  CentreResponse,
  CentresResponse,
  ConflictsResponse,
  StandardisationAttemptsResponse,
  StandardisationExercisesResponse,
  CentreSettingsInput,
  ConflictInput,
  ConflictView,
  EnquiryInput,
  IdentityCheckInput,
  IqaAttemptView,
  IqaQueueView,
  IqaReviewInput,
  MalpracticeInput,
  ModerationOutcome,
  NewStandardisationInput,
  SittingAssuranceView,
  SpecialConsiderationInput,
  StandardisationMarkingView,
  StandardisationMarksInput,
  StandardisationResultsView,
  CandidateDeclarations,
} from '../../../server/protocol/assurance.js';
import type { UserResponse } from '../../../server/protocol/roles.js';
import { api } from '../api.js';

const sitting = (id: string) => `/api/sittings/${encodeURIComponent(id)}`;
const exercise = (id: string) => `/api/standardisation/${encodeURIComponent(id)}`;

export const assurance = {
  view: (sittingId: string) => api<SittingAssuranceView>('GET', `${sitting(sittingId)}/assurance`),
  identityCheck: (sittingId: string, input: IdentityCheckInput) => api<SittingAssuranceView>('POST', `${sitting(sittingId)}/identity-check`, input),
  declare: (sittingId: string, moment: 'start' | 'end') => api<CandidateDeclarations>('POST', `${sitting(sittingId)}/declarations`, { moment, confirm: true }),
  sign: (sittingId: string) => api<SittingAssuranceView>('POST', `${sitting(sittingId)}/sign`, { confirm: true }),
  returnToAssessor: (sittingId: string, reason: string) => api<SittingAssuranceView>('POST', `${sitting(sittingId)}/return`, { reason }),
  countersign: (sittingId: string) => api<SittingAssuranceView>('POST', `${sitting(sittingId)}/countersign`, { confirm: true }),
  outcome: (sittingId: string, outcome: ModerationOutcome, reason: string) =>
    api<SittingAssuranceView>('POST', `${sitting(sittingId)}/moderation-outcome`, { outcome, ...(reason.trim() ? { reason } : {}) }),
  conflicts: () => api<ConflictsResponse>('GET', '/api/conflicts').then((r) => r.conflicts),
  declareConflict: (input: ConflictInput) => api<ConflictView>('POST', '/api/conflicts', input),
  people: () => api<CentrePeople>('GET', '/api/centre/people'),
  iqaQueue: () => api<IqaQueueView>('GET', '/api/iqa/sittings'),
  iqaAttempt: (attemptId: string) => api<IqaAttemptView>('GET', `/api/iqa/attempts/${encodeURIComponent(attemptId)}`),
  saveVerdicts: (attemptId: string, input: IqaReviewInput) => api<IqaAttemptView>('PUT', `/api/iqa/attempts/${encodeURIComponent(attemptId)}/reviews`, input),
  centres: () => api<CentresResponse>('GET', '/api/centres').then((r) => r.centres),
  saveCentre: (centreId: number, input: CentreSettingsInput) => api<CentreResponse>('PUT', `/api/centres/${centreId}/settings`, input).then((r) => r.centre),
  setCandidateNumber: (userId: number, candidateNumber: string | null) => api<UserResponse>('POST', `/api/users/${userId}/candidate-number`, { candidateNumber }),
  specialConsideration: (sittingId: string, input: SpecialConsiderationInput) => api<SittingAssuranceView>('POST', `${sitting(sittingId)}/special-consideration`, input),
  malpractice: (sittingId: string, input: MalpracticeInput) => api<SittingAssuranceView>('POST', `${sitting(sittingId)}/malpractice`, input),
  enquiry: (sittingId: string, input: EnquiryInput) => api<SittingAssuranceView>('POST', `${sitting(sittingId)}/enquiries`, input),
  closeEnquiry: (enquiryId: number, outcome: string) => api<SittingAssuranceView>('POST', `/api/enquiries/${enquiryId}/close`, { outcome }),
  exercises: () => api<StandardisationExercisesResponse>('GET', '/api/standardisation').then((r) => r.exercises),
  exerciseAttempts: () => api<StandardisationAttemptsResponse>('GET', '/api/standardisation/attempts').then((r) => r.attempts),
  createExercise: (input: NewStandardisationInput) => api<StandardisationResultsView>('POST', '/api/standardisation', input),
  exerciseResults: (id: string) => api<StandardisationResultsView>('GET', exercise(id)),
  exerciseMarking: (id: string) => api<StandardisationMarkingView>('GET', exercise(id)),
  saveExerciseMarks: (id: string, input: StandardisationMarksInput) => api<StandardisationMarkingView>('PUT', `${exercise(id)}/marks`, input),
  closeExercise: (id: string) => api<StandardisationResultsView>('POST', `${exercise(id)}/close`, {}),
  agreementCsvUrl: (id: string) => `${exercise(id)}/agreement.csv`,
};
