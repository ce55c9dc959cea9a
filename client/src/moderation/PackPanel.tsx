// Moderation packs on the moderator's home: a centre sample's pack (POST /api/packs, saved as a
// download) and "Verify a pack" (the zip uploaded to POST /api/packs/verify, the same check as
// `npm run verify-pack`), naming each file that was altered. A sitting's own pack is a plain link
// to GET /api/sittings/:id/pack.zip (moderation.sittingPackUrl).
import { dateTimeGB } from '../format.js';
import { useId, useState, type FormEvent } from 'react';
import { ApiFailure } from '../api.js';
import { moderation, type PackVerificationResult } from './moderation-api.js';
import { Problem } from '../components/useAction.js';

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Saves a Blob as a file through a temporary object URL and link. */
function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function SamplePackButton({ sittingIds }: { sittingIds: string[] }) {
  const [state, setState] = useState<{ busy: boolean; error?: string; done?: boolean }>({ busy: false });
  const n = sittingIds.length;
  const download = async () => {
    setState({ busy: true });
    try {
      saveBlob(await moderation.samplePack(sittingIds), 'moderation-pack-sample.zip');
      setState({ busy: false, done: true });
    } catch (err) {
      setState({ busy: false, error: message(err) });
    }
  };
  return (
    <p className="small">
      <button type="button" className="small" disabled={state.busy || n === 0} aria-busy={state.busy} onClick={() => void download()}>
        Download the sample's pack ({n} {n === 1 ? 'sitting' : 'sittings'})
      </button>{' '}
      <span role="status">
        {state.busy && <span className="muted">Preparing pack…</span>}
        {state.done && <span className="notice">Pack downloaded.</span>}
        <Problem error={state.error && `The pack could not be made: ${state.error}`} inline />
      </span>
    </p>
  );
}

function uploadError(err: unknown): string {
  if (err instanceof ApiFailure && err.status === 413) return `The file is too large to verify here: ${err.message} Use “npm run verify-pack <zip>” on the server instead.`;
  if (err instanceof ApiFailure && err.status === 400) return `That file cannot be verified: ${err.message}`;
  if (err instanceof TypeError) return `The upload failed (${err.message}); if the file is very large, use “npm run verify-pack <zip>” instead.`;
  return `The pack could not be verified: ${message(err)}`;
}

function VerificationResult({ result, name }: { result: PackVerificationResult; name: string }) {
  const { files, timelineEntries, auditEntries } = result.checked;
  return (
    <div data-testid="pack-verification" data-ok={result.ok}>
      <p className={result.ok ? 'notice' : 'error'}>
        <strong>{result.ok ? 'Verified' : 'Not verified'}</strong> ({name}): {result.summary}
      </p>
      <p className="small">
        Checked {files} files, {timelineEntries} timeline entries and {auditEntries} audit entries.{' '}
        {result.issuedByThisServer ? 'This server issued this pack.' : 'This server has no record of issuing this pack.'}
        {result.manifest && ` Pack ${result.manifest.packId}, made ${dateTimeGB(result.manifest.createdAt)}${result.manifest.createdBy ? ` by ${result.manifest.createdBy.name}` : ''}.`}
      </p>
      {result.problems.length > 0 && (
        <ul aria-label="Problems found">
          {result.problems.map((p, i) => (
            <li key={i}>
              <code>{p.file}</code>
              {p.entry ? ` (${p.entry})` : ''}: {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function VerifyPack() {
  const inputId = useId();
  const [file, setFile] = useState<File>();
  const [state, setState] = useState<{ busy: boolean; error?: string; result?: PackVerificationResult; name?: string }>({ busy: false });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return setState({ busy: false, error: 'Choose a pack (.zip) to verify.' });
    setState({ busy: true });
    try {
      setState({ busy: false, result: await moderation.verifyPack(file), name: file.name });
    } catch (err) {
      setState({ busy: false, error: uploadError(err) });
    }
  };
  return (
    <section aria-labelledby={`${inputId}-h`} data-testid="verify-pack">
      <h2 id={`${inputId}-h`}>Verify a pack</h2>
      <p className="small muted">Checks that nothing in a moderation pack was altered since it was made, as <code>npm run verify-pack</code> does, and names any file that was.</p>
      <form onSubmit={(e) => void submit(e)} aria-label="Verify a pack">
        <label htmlFor={inputId}>Pack (.zip)</label>{' '}
        <input
          id={inputId}
          type="file"
          accept=".zip,application/zip"
          onChange={(e) => {
            setFile(e.target.files?.[0]);
            setState({ busy: false });
          }}
        />{' '}
        <button type="submit" disabled={state.busy} aria-busy={state.busy}>
          Verify
        </button>
      </form>
      <div role="status" aria-live="polite">
        {state.busy && <p className="muted">Uploading and checking the pack…</p>}
        <Problem error={state.error} />
        {state.result && <VerificationResult result={state.result} name={state.name ?? 'pack'} />}
      </div>
    </section>
  );
}
