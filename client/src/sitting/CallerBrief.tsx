// The assessor's caller brief for the sitting's current attempt: who to play (persona), the
// situation, the opening line, the facts with when to give them, and the cue cards, each with a
// one-tap Bookmark. Above them, how the call is made: the number to present when calling the
// candidate (inbound), or that the candidate calls the assessor (outbound).
import { useCallback, useEffect, useId, useState } from 'react';
import type { AttemptBrief, CallerBriefView } from '../../../server/protocol/assessment.js';
import type { DirectoryEntry } from '../../../server/protocol/telephony.js';
import { NotYet } from '../components/AsyncState.js';
import { DataTable } from '../components/DataTable.js';
import { useLoad } from '../components/useLoad.js';
import { usePhone } from '../softphone/PhoneContext.js';
import { BookmarkBox, useBookmarks } from './Bookmarks.js';
import { BriefSituation } from './BriefSituation.js';
import { sittings } from './sitting-api.js';

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
const texts = (v: unknown): string[] => (Array.isArray(v) ? (v as unknown[]).map((x) => (typeof x === 'string' ? x : typeof x === 'object' && x ? describeThing(x) : String(x))).filter(Boolean) : []);
/** Objections and buying signals come as strings or small objects ({ when, say, … }). */
function describeThing(x: object): string {
  const o = x as Record<string, unknown>;
  const lead = text(o.when) ?? text(o.trigger);
  const body = text(o.say) ?? text(o.prompt) ?? text(o.text) ?? text(o.objection) ?? text(o.signal) ?? text(o.line);
  if (lead && body) return `${lead}: ${body}`;
  return body ?? lead ?? JSON.stringify(x);
}

export function CallerBrief({ attemptId, candidate, position }: { attemptId: string; candidate: { id: number; name: string }; position?: number }) {
  const read = useLoad(useCallback(() => sittings.brief(attemptId), [attemptId]));
  const bookmarks = useBookmarks(attemptId);
  const brief = read.data;
  if (read.error !== undefined || !brief) return <NotYet error={read.error} loading="Loading the caller brief…" />;
  const caller = brief.callerBrief;
  return (
    <div className="caller-brief" data-testid="caller-brief">
      <h3>
        {position ? `Assignment ${position}: ` : ''}
        {brief.title} <span className="tag plain">{brief.direction}</span>
      </h3>
      <CallInstruction brief={brief} candidate={candidate} />
      {caller ? <CallerDetails caller={caller} onBookmarkCue={(cue) => void bookmarks.add({ note: `Cue: ${cue.prompt}`, cueId: cue.id })} /> : <p className="muted">This scenario has no caller brief.</p>}
      <h4>Bookmarks</h4>
      <BookmarkBox handle={bookmarks} />
      <details className="candidate-brief-preview">
        <summary>What the candidate sees</summary>
        <p>
          <strong>Title:</strong> {brief.candidateTitle}
        </p>
        <p>
          <strong>Role:</strong> {brief.candidateBrief.role}
        </p>
        <BriefSituation brief={brief.candidateBrief} />
      </details>
    </div>
  );
}

/** Inbound: the number to present and a one-tap call to the candidate. Outbound: wait for their call. */
function CallInstruction({ brief, candidate }: { brief: AttemptBrief; candidate: { id: number; name: string } }) {
  const { phone, state } = usePhone();
  const [entry, setEntry] = useState<DirectoryEntry>();
  useEffect(() => {
    sittings.candidatePhones().then((list) => setEntry(list.find((e) => e.userId === candidate.id)), () => {});
  }, [candidate.id]);
  const persona = brief.callerBrief?.persona.name;
  if (brief.direction === 'outbound')
    return (
      <div className="call-instruction" data-testid="call-instruction">
        <p>
          <strong>The candidate will call you</strong>
          {brief.dialNumber ? (
            <>
              {' '}
              on the customer’s number <span className="number">{brief.dialNumber}</span>
            </>
          ) : null}
          . Answer as {persona ?? 'the customer'}.
        </p>
      </div>
    );
  const number = brief.presentNumber ?? brief.callerBrief?.persona.phone ?? null;
  const canCall = Boolean(phone && entry && state.registration === 'registered' && !state.call);
  return (
    <div className="call-instruction" data-testid="call-instruction">
      <p>
        <strong>Call the candidate</strong> presenting{' '}
        {number ? (
          <span className="number" data-testid="present-number">
            {number}
          </span>
        ) : (
          'no number (withheld)'
        )}
        {persona ? ` as ${persona}` : ''}.
      </p>
      <button
        type="button"
        className="call"
        disabled={!canCall}
        onClick={() => entry && phone?.dial(entry.extension, entry.displayName, { presentedNumber: number ?? undefined, presentedName: persona })}
      >
        Call {candidate.name} as the customer
      </button>
      {/* The candidate's phone by whether it can ring, never by its extension (an internal number). */}
      {entry && !entry.registered && (
        <span className="small muted" data-testid="candidate-phone-offline">
          {' '}
          Their phone is not signed in.
        </span>
      )}
    </div>
  );
}

function CallerDetails({ caller, onBookmarkCue }: { caller: CallerBriefView; onBookmarkCue: (cue: CallerBriefView['cues'][number]) => void }) {
  const id = useId();
  const extras: Array<[string, string[]]> = [
    ['Objections', texts(caller.objections)],
    ['Buying signals', texts(caller.buyingSignals)],
    ['Never volunteer', texts(caller.neverVolunteer)],
  ];
  const lines: Array<[string, string | undefined]> = [
    ['Emotional arc', text(caller.emotionalArc)],
    ['Hold tolerance', text(caller.holdTolerance)],
    ['End the call when', text(caller.endWhen)],
  ];
  return (
    <>
      <h4>You play</h4>
      <dl className="persona">
        <dt>Name</dt>
        <dd data-testid="persona-name">{caller.persona.name}</dd>
        {caller.persona.accountNumber && (
          <>
            <dt>Account</dt>
            <dd>{caller.persona.accountNumber}</dd>
          </>
        )}
        {caller.persona.phone && (
          <>
            <dt>Phone</dt>
            <dd>{caller.persona.phone}</dd>
          </>
        )}
        <dt>Who</dt>
        <dd>{caller.persona.description}</dd>
      </dl>
      <h4>Situation</h4>
      <p>{caller.situation}</p>
      <h4>Opening line</h4>
      <blockquote className="opening-line">{caller.openingLine}</blockquote>
      {caller.facts.length > 0 && (
        <>
          <h4>Facts to give</h4>
          <DataTable
            caption="Facts to give"
            className="facts"
            rows={caller.facts}
            rowKey={(f) => f.key}
            columns={[
              { header: 'Fact', rowHeader: true, cell: (f) => f.label },
              { header: 'Value', cell: (f) => f.value },
              { header: 'Give when', cell: (f) => f.giveWhen },
            ]}
          />
        </>
      )}
      {caller.cues.length > 0 && (
        <>
          <h4>Cue cards</h4>
          <ul className="cue-cards">
            {caller.cues.map((c) => (
              <li key={c.id} className="cue-card" data-testid="cue-card">
                <p className="cue-when" id={`${id}-cue-${c.id}`}>
                  <strong>{c.when}</strong>
                </p>
                <p className="cue-prompt">{c.prompt}</p>
                <button type="button" className="small" aria-label={`Bookmark cue: ${c.when}`} onClick={() => onBookmarkCue(c)}>
                  Bookmark
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {lines.some(([, v]) => v) && (
        <dl className="persona">
          {lines.map(([k, v]) =>
            v ? (
              <div key={k} className="contents">
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ) : null,
          )}
        </dl>
      )}
      {extras.map(([k, list]) =>
        list.length ? (
          <div key={k}>
            <h4>{k}</h4>
            <ul>
              {list.map((x, i) => (
                <li key={i}>{x}</li>
              ))}
            </ul>
          </div>
        ) : null,
      )}
    </>
  );
}
