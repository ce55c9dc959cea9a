// The scenario list and editor's calls (server/api/scenario-routes.ts, scenario-edit-routes.ts).
import type { ScenarioDocument, ScenarioIssueView, ScenarioList } from '../../../server/protocol/scenarios.js';
import type { CentresResponse } from '../../../server/protocol/assurance.js';
import { api, ApiFailure } from '../api.js';

export type SaveResult = { ok: true; doc: ScenarioDocument } | { ok: false; message: string; issues: ScenarioIssueView[] };

export const scenarioApi = {
  list: () => api<ScenarioList>('GET', '/api/scenarios'),
  get: (key: string) => api<ScenarioDocument>('GET', `/api/scenarios/${encodeURIComponent(key)}`),
  remove: (key: string) => api<void>('DELETE', `/api/scenarios/${encodeURIComponent(key)}`),
  centres: () => api<CentresResponse>('GET', '/api/centres').then((r) => r.centres),

  async clone(from: string, body: { variant: string; title: string; centreId?: number }): Promise<SaveResult> {
    return refusalAware(() => api<ScenarioDocument>('POST', `/api/scenarios/${encodeURIComponent(from)}/clone`, body));
  },

  /**
   * Saves the editor's text as it stands (text/plain), so the server can place a JSON mistake by
   * line and column. api() sends JSON only, hence fetch here, with the session's CSRF token.
   */
  async save(key: string, text: string, csrfToken: string): Promise<SaveResult> {
    const res = await fetch(`/api/scenarios/${encodeURIComponent(key)}`, {
      method: 'PUT',
      headers: { accept: 'application/json', 'content-type': 'text/plain; charset=utf-8', 'x-csrf-token': csrfToken },
      credentials: 'same-origin',
      body: text,
    });
    const data = (await res.json().catch(() => ({}))) as Partial<ScenarioDocument> & { message?: string; issues?: ScenarioIssueView[] };
    if (res.ok) return { ok: true, doc: data as ScenarioDocument };
    return { ok: false, message: data.message ?? `Saving failed (${res.status}).`, issues: Array.isArray(data.issues) ? data.issues : [] };
  },
};

/** A 400 with issues comes back as issues; other failures as a message. */
async function refusalAware(run: () => Promise<ScenarioDocument>): Promise<SaveResult> {
  try {
    return { ok: true, doc: await run() };
  } catch (err) {
    if (err instanceof ApiFailure) return { ok: false, message: `${err.message}${err.field ? ` (${err.field})` : ''}`, issues: [] };
    return { ok: false, message: 'The server could not be reached.', issues: [] };
  }
}
