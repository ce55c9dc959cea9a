// One scenario file in a large JSON text area, with a few convenience fields that edit the same
// JSON (title, company name, product names and prices, replace a text everywhere), and the
// server's problems listed as "file · path · reason": choosing one puts the cursor at that path.
// Shipped scenarios, and variants an attempt has used, open read-only.
import { useMemo, useRef, useState } from 'react';
import type { ScenarioDocument, ScenarioIssueView } from '../../../server/protocol/scenarios.js';
import { useSession } from '../session.js';
import { conveniences, countOccurrences, offsetOfLineColumn, offsetOfPath, parseJson, replaceEverywhere, setCompany, setProduct, setTitle, toText } from './json-edit.js';
import { scenarioApi } from './scenario-api.js';
import { handled } from '../components/handled.js';

const pounds = (pence: number) => (pence / 100).toFixed(2);

export function ScenarioEditor({ doc, onSaved, onDeleted }: { doc: ScenarioDocument; onSaved: (d: ScenarioDocument) => void; onDeleted: (key: string) => void }) {
  const { session } = useSession();
  const [text, setText] = useState(doc.text);
  const [issues, setIssues] = useState<ScenarioIssueView[]>(doc.issues);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>(doc.issues.length > 0 ? { kind: 'error', text: 'The stored file has problems; it is not used until they are fixed.' } : undefined);
  const [find, setFind] = useState('');
  const [replacement, setReplacement] = useState('');
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const parsed = useMemo(() => parseJson(text), [text]);
  const fields = parsed ? conveniences(parsed) : undefined;
  const readOnly = !doc.editable;
  const dirty = text !== doc.text;

  const edit = (change: (d: Record<string, unknown>) => unknown) => {
    if (parsed) setText(toText(change(parsed)));
  };

  /** Puts the cursor at the issue's path (or line and column) and scrolls the text area there. */
  const focusIssue = (i: ScenarioIssueView) => {
    const el = area.current;
    if (!el) return;
    const offset = (i.path ? offsetOfPath(text, i.path) : undefined) ?? offsetOfLineColumn(text, i.reason) ?? 0;
    el.focus();
    el.setSelectionRange(offset, offset);
    const line = text.slice(0, offset).split('\n').length - 1;
    const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 18;
    el.scrollTop = Math.max(0, line * lineHeight - el.clientHeight / 3);
  };

  const save = async () => {
    if (!session) return;
    setBusy(true);
    try {
      const r = await scenarioApi.save(doc.key, text, session.csrfToken);
      if (r.ok) {
        setIssues([]);
        setText(r.doc.text);
        setNotice({ kind: 'ok', text: `Saved as version ${r.doc.version ?? '?'}.` });
        onSaved(r.doc);
      } else {
        setIssues(r.issues);
        setNotice({ kind: 'error', text: r.message });
      }
    } catch {
      setNotice({ kind: 'error', text: 'The server could not be reached.' });
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!window.confirm(`Delete ${doc.key}? Its file is removed.`)) return;
    try {
      await scenarioApi.remove(doc.key);
      onDeleted(doc.key);
    } catch (err) {
      setNotice({ kind: 'error', text: err instanceof Error ? err.message : 'The server could not be reached.' });
    }
  };

  return (
    <section className="scenario-editor" aria-labelledby="scenario-editor-title">
      <h2 id="scenario-editor-title">
        {doc.key} <span className="muted small">version {doc.version ?? '?'} · {doc.file}</span>
      </h2>
      {doc.builtIn && <p className="muted">A shipped scenario: read-only. Clone it to make your centre's own copy.</p>}
      {!doc.builtIn && doc.usage.attempts > 0 && (
        <p className="muted">
          Used by {doc.usage.attempts} attempt(s): read-only, because their marking depends on it. Clone it to make a changed copy.
        </p>
      )}
      {notice && (
        <p className={notice.kind === 'ok' ? 'notice' : 'error'} role={notice.kind === 'ok' ? 'status' : 'alert'}>
          {notice.text}
        </p>
      )}
      {issues.length > 0 && (
        <ul className="scenario-issues" aria-label="Problems">
          {issues.map((i, n) => (
            <li key={n}>
              <button type="button" className="link-button" onClick={() => focusIssue(i)}>
                {i.file} · {i.path || '(whole file)'} · {i.reason}
              </button>
            </li>
          ))}
        </ul>
      )}

      {!readOnly && (
        <fieldset className="scenario-fields" disabled={!fields}>
          <legend>Quick changes (they edit the JSON below)</legend>
          {!fields && <p className="error">The text is not valid JSON; fix it (or save to see where) to use these fields.</p>}
          {fields && (
            <>
              <label>
                Title
                <input value={fields.title} onChange={(e) => edit((d) => setTitle(d, e.target.value))} />
              </label>
              <label>
                Company name
                <input value={fields.company} onChange={(e) => edit((d) => setCompany(d, e.target.value))} />
              </label>
              <div className="row">
                <label>
                  Replace
                  <input value={find} onChange={(e) => setFind(e.target.value)} placeholder="Brightline" />
                </label>
                <label>
                  with
                  <input value={replacement} onChange={(e) => setReplacement(e.target.value)} />
                </label>
                <button type="button" disabled={!find} onClick={() => edit((d) => replaceEverywhere(d, find, replacement))}>
                  Replace in every text ({parsed ? countOccurrences(parsed, find) : 0})
                </button>
              </div>
              <table className="scenario-products">
                <caption>Products (texts that quote a price are not changed: use Replace)</caption>
                <thead>
                  <tr>
                    <th scope="col">Code</th>
                    <th scope="col">Name</th>
                    <th scope="col">Price (£)</th>
                  </tr>
                </thead>
                <tbody>
                  {fields.products.map((p, n) => (
                    <tr key={p.code || n}>
                      <td>{p.code}</td>
                      <td>
                        <input aria-label={`Name of ${p.code}`} value={p.name} onChange={(e) => edit((d) => setProduct(d, n, { name: e.target.value }))} />
                      </td>
                      <td>
                        <input
                          aria-label={`Price of ${p.code} in pounds`}
                          type="number"
                          min="0"
                          step="0.01"
                          value={pounds(p.pricePence)}
                          onChange={(e) => {
                            const v = Number(e.target.value);
                            if (Number.isFinite(v)) edit((d) => setProduct(d, n, { pricePence: Math.round(v * 100) }));
                          }}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </fieldset>
      )}

      <label htmlFor="scenario-json">Scenario file (JSON)</label>
      <textarea
        id="scenario-json"
        ref={area}
        className="scenario-json"
        value={text}
        readOnly={readOnly}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        aria-describedby="scenario-json-help"
      />
      <p id="scenario-json-help" className="muted small">
        The same file as {doc.file} on the server; the shape is described in scenarios/README.md.
      </p>
      {!readOnly && (
        <div className="row">
          <button type="button" onClick={handled(save)} disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button type="button" onClick={() => setText(doc.text)} disabled={!dirty || busy}>
            Undo changes
          </button>
          {doc.usage.sittings === 0 && (
            <button type="button" onClick={handled(remove)} disabled={busy}>
              Delete
            </button>
          )}
        </div>
      )}
    </section>
  );
}
