// A print-out (a PDF the server renders and stores as evidence, opened in a new tab) of the record,
// an order or a case; the server records it on the attempt's timeline as it stores it.
import { useState } from 'react';
import { describeError } from './ApiMessage.js';
import { useDesktop } from './DesktopContext.js';
import { printOut, type PrintoutKind } from './printouts.js';

export function PrintButton({
  kind,
  subjectId,
  label,
  onResult,
}: {
  kind: PrintoutKind;
  subjectId: number;
  /** What is printed, in words: completes the button's name ("Print order ORD-000001"). */
  label: string;
  onResult: (notice: { kind: 'ok' | 'error'; text: string }) => void;
}) {
  const { attemptId } = useDesktop();
  const [busy, setBusy] = useState(false);
  const print = async () => {
    setBusy(true);
    try {
      await printOut(attemptId, kind, subjectId);
      onResult({ kind: 'ok', text: `Print-out made: ${label}.` });
    } catch (err) {
      onResult({ kind: 'error', text: `Print-out failed: ${describeError(err)}` });
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" className="small" disabled={busy} aria-busy={busy} onClick={() => void print()}>
      {busy ? 'Printing…' : 'Print'}
      <span className="visually-hidden"> {label}</span>
    </button>
  );
}
