// What the candidate reads before the sitting, in plain words (issue 13: four assignments, one
// hour, calls recorded, at least 6 in each, what happens next), and the declaration of authenticity
// they confirm before it starts and again once it has ended. The server records each confirmation
// with its own time; the sitting cannot start without the first.
import { useId, useState } from 'react';
import { DECLARATION_WORDS } from '../../../server/protocol/assurance.js';
import type { SittingDetail } from '../../../server/protocol/assessment.js';
import { assurance } from '../assurance/assurance-api.js';
import { dateTimeGB } from '../format.js';
import { Problem, useAction } from '../components/useAction.js';

const minutesAllowed = (d: SittingDetail): string => {
  const total = Math.round(d.clock.allowedMs / 60_000);
  return total === d.baseMinutes ? `${d.baseMinutes} minutes` : `${total} minutes (${d.baseMinutes} minutes and the extra time agreed with you)`;
};

export function SittingGuidance({ detail, onConfirmed }: { detail: SittingDetail; onConfirmed: () => void }) {
  const id = useId();
  const declared = detail.preparation.declarations.start;
  return (
    <div className="guidance" data-testid="sitting-guidance">
      <h3 id={`${id}-h`}>Before your sitting: please read this</h3>
      <ul className="guidance-points">
        <li>
          <strong>Four assignments.</strong> Each one is a phone call, some you answer and some you make, with work on the computer before and after the call. Your brief for each
          assignment appears here when it starts.
        </li>
        <li>
          <strong>One hour for all four.</strong> You have {minutesAllowed(detail)} in total. The clock starts when your assessor starts the sitting; the time left is shown at the top
          and turns amber when 5 minutes are left.
        </li>
        <li>
          <strong>Your calls are recorded.</strong> The recordings, your notes, messages and print-outs are kept as evidence of your work and may be checked by the awarding body.
        </li>
        <li>
          <strong>At least 6 out of 12 in each assignment.</strong> If you score less than 6 in an assignment you may be allowed to take it again, with a different call. Your total
          out of 48 gives your grade: Pass 24 to 28, Merit 29 to 35, Distinction 36 to 48.
        </li>
        <li>
          <strong>Work on your own.</strong> Do not use notes, your phone or help from anyone during the sitting.
        </li>
        <li>
          <strong>What happens next.</strong> Your assessor marks your calls, another member of staff checks the marking, and then the awarding body (Pearson) may check it again.
          This is called moderation and it can change marks. Your centre will tell you when you can see your results.
        </li>
      </ul>
      {declared !== null ? (
        <p className="notice" data-testid="declared-start">
          You confirmed the declaration on {dateTimeGB(declared)}. Your assessor will check your identity and start the sitting.
        </p>
      ) : (
        <Declaration sittingId={detail.id} moment="start" onConfirmed={onConfirmed} />
      )}
    </div>
  );
}

/** The declaration of authenticity: a tick box with the words, and a button. */
export function Declaration({ sittingId, moment, onConfirmed }: { sittingId: string; moment: 'start' | 'end'; onConfirmed: () => void }) {
  const id = useId();
  const [ticked, setTicked] = useState(false);
  const { busy, error, run } = useAction();
  const confirm = async () => {
    if (await run(() => assurance.declare(sittingId, moment))) onConfirmed();
  };
  return (
    <div className="declaration" data-testid={`declaration-${moment}`}>
      <h4 id={`${id}-h`}>{moment === 'start' ? 'Declaration before you start' : 'Declaration now that you have finished'}</h4>
      <label className="check">
        <input type="checkbox" checked={ticked} onChange={(e) => setTicked(e.target.checked)} aria-describedby={`${id}-h`} />
        <span>{DECLARATION_WORDS[moment]}</span>
      </label>
      <button type="button" className="primary" disabled={!ticked || busy} onClick={() => void confirm()}>
        Confirm the declaration
      </button>
      <Problem error={error} />
    </div>
  );
}
