// The client's calls to the sittings, briefs, bookmarks, marking and results API
// (server/protocol/assessment.ts): the only file of the sitting and marking screens that knows
// their URLs.
import type {
  AttemptBrief,
  Bookmark,
  BookmarksResponse,
  BookmarkInput,
  CoverageCheckView,
  CancelSittingInput,
  CreateSittingInput,
  EditSittingInput,
  MarkingView,
  SaveMarksInput,
  SittingDetail,
  SittingCandidatesResponse,
  SittingsResponse,
} from '../../../server/protocol/assessment.js';
import type { DirectoryResponse } from '../../../server/protocol/telephony.js';
import { api, ApiFailure } from '../api.js';

export type * from '../../../server/protocol/assessment.js';

export type { ScenarioListing } from '../../../server/protocol/scenarios.js';
import type { ScenarioList, ScenarioListing } from '../../../server/protocol/scenarios.js';

/** The assignment (s1…s6) a listed scenario is a variant of. */
export const assignmentOf = (s: ScenarioListing): string => s.scenarioKey ?? s.key;

const sitting = (id: string) => `/api/sittings/${encodeURIComponent(id)}`;
const attempt = (id: string) => `/api/attempts/${encodeURIComponent(id)}`;

export const sittings = {
  list: () => api<SittingsResponse>('GET', '/api/sittings').then((r) => r.sittings),
  get: (id: string) => api<SittingDetail>('GET', sitting(id)),
  create: (input: CreateSittingInput) => api<SittingDetail>('POST', '/api/sittings', input),
  /** The server's coverage rule on the assignments chosen so far (nothing is stored). */
  checkCoverage: (scenarioKeys: string[]) => api<CoverageCheckView>('POST', '/api/sittings/coverage-check', { scenarioKeys }),
  /** Before the start: another candidate, assessor or planned time. */
  edit: (id: string, input: EditSittingInput) => api<SittingDetail>('PATCH', sitting(id), input),
  /** Before the start: called off, with the reason recorded. */
  cancel: (id: string, input: CancelSittingInput) => api<SittingDetail>('POST', `${sitting(id)}/cancel`, input),
  start: (id: string) => api<SittingDetail>('POST', `${sitting(id)}/start`, {}),
  restBreak: (id: string, action: 'start' | 'end') => api<SittingDetail>('POST', `${sitting(id)}/rest-break`, { action }),
  end: (id: string) => api<SittingDetail>('POST', `${sitting(id)}/end`, {}),
  startAssignment: (id: string, position: number) => api<SittingDetail>('POST', `${sitting(id)}/assignments/${position}/attempts`, {}),
  /** Ends a sitting's attempt without finishing its marking (the next assignment may then begin). */
  closeAttempt: (attemptId: string) => api<SittingDetail>('POST', `${attempt(attemptId)}/close`, {}),
  markSheetUrl: (id: string) => `${sitting(id)}/mark-sheet.pdf`,
  resultsCsvUrl: '/api/results.csv',
  brief: (attemptId: string) => api<AttemptBrief>('GET', `${attempt(attemptId)}/brief`),
  bookmarks: (attemptId: string) => api<BookmarksResponse>('GET', `${attempt(attemptId)}/bookmarks`).then((r) => r.bookmarks),
  addBookmark: (attemptId: string, input: BookmarkInput) => api<Bookmark>('POST', `${attempt(attemptId)}/bookmarks`, input),
  marking: (attemptId: string) => api<MarkingView>('GET', `${attempt(attemptId)}/marking`),
  saveMarks: (attemptId: string, input: SaveMarksInput) => api<MarkingView>('PUT', `${attempt(attemptId)}/marks`, input),
  /**
   * The six assessed scenarios (s1…s6) and the centre's own variants, in order; the demo data set
   * and the shipped re-take variants (b, …: the server picks them for a re-take) left out.
   */
  scenarios: () =>
    api<ScenarioList>('GET', '/api/scenarios').then((r) =>
      r.scenarios.filter((s) => /^s\d+$/.test(assignmentOf(s)) && !(s.builtIn && s.variant !== undefined && s.variant !== 'a')),
    ),
  /** The candidates a sitting can be for, with their candidate number and username (never an extension): candidate-choice.ts words them. */
  candidates: () => api<SittingCandidatesResponse>('GET', '/api/sittings/candidates').then((r) => r.candidates),
  /** The centre's candidates' phones, from the phone directory: the caller brief's one-tap call dials one. */
  candidatePhones: () => api<DirectoryResponse>('GET', '/api/directory').then((r) => r.entries.filter((e) => e.role === 'candidate')),
  /** The centre's assessors, from the phone directory as the candidates are. */
  assessors: () => api<DirectoryResponse>('GET', '/api/directory').then((r) => r.entries.filter((e) => e.role === 'assessor')),
};

/** Every field problem of a failure as { path: message } ('form' when it names none). */
export function fieldProblems(err: unknown, describe: (e: unknown) => string): Record<string, string> {
  if (err instanceof ApiFailure) {
    if (err.fields && Object.keys(err.fields).length) return { ...err.fields };
    if (err.field) return { [err.field]: err.message };
  }
  return { form: describe(err) };
}
