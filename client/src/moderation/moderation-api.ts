// The moderation screens' calls to the API (server/protocol/moderation.ts): the only file of the
// replay and moderation pages that knows their URLs.
import type { SittingDetail, SittingsResponse } from '../../../server/protocol/assessment.js';
import type { AttemptMetrics, AuditLogPage, ModerationView, PackVerificationResult, ReplayEventsPage, ReplayView, SampleView, SaveModerationInput } from '../../../server/protocol/moderation.js';
import { api, apiBlob } from '../api.js';

export type * from '../../../server/protocol/moderation.js';

const attempt = (id: string) => `/api/attempts/${encodeURIComponent(id)}`;

export type MetricsTotals = AttemptMetrics['totals'];

export const moderation = {
  replay: (id: string, callId?: string) => api<ReplayView>('GET', `${attempt(id)}/replay${callId ? `?callId=${encodeURIComponent(callId)}` : ''}`),
  /** The next page of the replay's timeline (ReplayView.moreEvents). */
  replayEvents: (id: string, afterSeq: number, callId?: string) =>
    api<ReplayEventsPage>('GET', `${attempt(id)}/replay/events?afterSeq=${afterSeq}${callId ? `&callId=${encodeURIComponent(callId)}` : ''}`),
  marks: (id: string) => api<ModerationView>('GET', `${attempt(id)}/moderation`),
  saveMarks: (id: string, input: SaveModerationInput) => api<ModerationView>('PUT', `${attempt(id)}/moderation`, input),
  metrics: (id: string) => api<AttemptMetrics>('GET', `${attempt(id)}/metrics`),
  auditLog: (q: { subjectType?: string; subjectId?: string; before?: number; limit?: number }) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
    return api<AuditLogPage>('GET', `/api/audit-log?${params.toString()}`);
  },
  sittings: () => api<SittingsResponse>('GET', '/api/sittings').then((r) => r.sittings),
  sitting: (id: string) => api<SittingDetail>('GET', `/api/sittings/${encodeURIComponent(id)}`),
  sample: (centreId: number) => api<SampleView>('GET', `/api/moderation/sample?centreId=${centreId}`),
  sittingPackUrl: (id: string) => `/api/sittings/${encodeURIComponent(id)}/pack.zip`,
  /** The moderation pack (a zip) of the given sittings. */
  samplePack: (sittingIds: string[]) => apiBlob('POST', '/api/packs', { json: { sittingIds } }, 'blob'),
  verifyPack: (zip: Blob) => apiBlob<PackVerificationResult>('POST', '/api/packs/verify', { file: zip, contentType: 'application/zip' }, 'json'),
  changeSample: (action: 'add' | 'remove', input: { centreId: number; sittingId: string; reason: string }) => api<SampleView>('POST', `/api/moderation/sample/${action}`, input),
};

/** mm:ss (minutes may pass 59), with a minus sign before t=0. */
