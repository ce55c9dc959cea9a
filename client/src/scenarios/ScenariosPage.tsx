// Scenarios for assessors and admins (moderators read): the six shipped LCCI Unit 2 scenarios and
// the centre's customised variants, files left out with their problems, cloning one into the
// centre's own variant, and the editor (ScenarioEditor).
import { useEffect, useState, type FormEvent } from 'react';
import type { ScenarioDocument, ScenarioList } from '../../../server/protocol/scenarios.js';
import { useSession } from '../session.js';
import { ScenarioEditor } from './ScenarioEditor.js';
import { scenarioApi } from './scenario-api.js';
import './scenarios.css';
import { DataTable } from '../components/DataTable.js';
import { AsyncState } from '../components/AsyncState.js';
import { handled } from '../components/handled.js';
import { useLoad } from '../components/useLoad.js';
import { describeError } from '../sitting/useSitting.js';
import { Problem } from '../components/useAction.js';

export function ScenariosPage() {
  const { session } = useSession();
  const me = session?.user;
  const canEdit = me?.role === 'assessor' || me?.role === 'admin';
  const list = useLoad(scenarioApi.list);
  const [open, setOpen] = useState<ScenarioDocument>();
  const [error, setError] = useState<string>();
  const [centres, setCentres] = useState<Array<{ id: number; name: string }>>([]);
  const [clone, setClone] = useState({ from: 's1', variant: '', title: '', centreId: '' });

  const { reload } = list;
  const shown = (l: ScenarioList) => l.scenarios.filter((s) => s.key !== 'demo');
  useEffect(() => {
    // An admin without a centre says which centre a copy is for.
    if (me?.role === 'admin' && me.centreId === null) scenarioApi.centres().then(setCentres, () => {});
  }, [me?.role, me?.centreId]);

  const openKey = async (key: string) => {
    try {
      setOpen(await scenarioApi.get(key));
      setError(undefined);
    } catch (err) {
      setError(describeError(err));
    }
  };

  const submitClone = async (e: FormEvent) => {
    e.preventDefault();
    const r = await scenarioApi.clone(clone.from, { variant: clone.variant, title: clone.title, ...(clone.centreId ? { centreId: Number(clone.centreId) } : {}) });
    if (!r.ok) return setError(r.issues.length ? `${r.message} ${r.issues.map((i) => `${i.path}: ${i.reason}`).join('; ')}` : r.message);
    setError(undefined);
    setClone({ ...clone, variant: '', title: '' });
    setOpen(r.doc);
    await reload();
  };

  return (
    <div className="shell scenarios-page" data-testid="scenarios-page">
      <h1>Scenarios</h1>
      <Problem error={error} />
      <section aria-labelledby="scenario-list-title">
        <h2 id="scenario-list-title">Available scenarios</h2>
        <AsyncState state={list} loading="Loading scenarios…">
          {(l) => (
            <>
            <DataTable
              caption="Available scenarios"
              className="scenario-table"
              columns={[
                { header: 'Key', cell: (s) => s.key },
                { header: 'Title', cell: (s) => s.title },
                { header: 'Call', cell: (s) => `${s.direction} ${s.type}` },
                { header: 'Version', cell: (s) => s.version },
                { header: 'Owner', cell: (s) => (s.builtIn ? 'Shipped (read-only)' : `Centre ${s.centreId ?? ''}`) },
                {
                  header: 'Actions',
                  hideHeader: true,
                  cell: (s) => (
                    <button type="button" onClick={() => void openKey(s.key)}>
                      Open {s.key}
                    </button>
                  ),
                },
              ]}
              rows={shown(l)}
              rowKey={(s) => s.key}
              rowProps={(s) => ({ 'aria-current': open?.key === s.key ? 'true' : undefined })}
            />
            {l.problems.length > 0 && (
              <div className="warning-box" role="region" aria-label="Files left out">
                <p>These files were left out because of problems (file · path · reason):</p>
                <ul>
                  {l.problems.map((p, n) => (
                    <li key={n}>
                      {p.file} · {p.path || '(whole file)'} · {p.reason}{' '}
                      {p.key && (
                        <button type="button" onClick={() => void openKey(p.key!)}>
                          Open to fix
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            </>
          )}
        </AsyncState>
      </section>

      {canEdit && (
        <section aria-labelledby="scenario-clone-title">
          <h2 id="scenario-clone-title">Clone a scenario for your centre</h2>
          <form onSubmit={handled(submitClone)} className="row" aria-label="Clone a scenario">
            <label>
              From
              <select value={clone.from} onChange={(e) => setClone({ ...clone, from: e.target.value })}>
                {(list.data ? shown(list.data) : []).map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.key}: {s.title}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Variant name
              <input value={clone.variant} onChange={(e) => setClone({ ...clone, variant: e.target.value })} required pattern="[A-Za-z0-9][A-Za-z0-9_\-]*" placeholder="acme" />
            </label>
            <label>
              Title
              <input value={clone.title} onChange={(e) => setClone({ ...clone, title: e.target.value })} required />
            </label>
            {centres.length > 0 && (
              <label>
                Centre
                <select value={clone.centreId} onChange={(e) => setClone({ ...clone, centreId: e.target.value })} required>
                  <option value="">Choose…</option>
                  {centres.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <button type="submit">Clone</button>
          </form>
        </section>
      )}

      {open && (
        <ScenarioEditor
          key={open.key}
          doc={open}
          onSaved={(d) => {
            setOpen(d);
            void reload();
          }}
          onDeleted={() => {
            setOpen(undefined);
            void reload();
          }}
        />
      )}
    </div>
  );
}
