// The softphone panel: registration state, dialler and directory, incoming-call banner with ring
// tone, call controls (answer, decline, mute, hold, keypad, hang up), call timer, audio devices.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { DirectoryEntry, DirectoryResponse } from '../../../server/protocol/telephony.js';
import { api } from '../api.js';
import { holdFailedWords, notReadyYetWords, type CallState, type PhoneState } from './phone.js';
import { usePhone } from './PhoneContext.js';
import { watchPresence } from './presence.js';
import { RingTone } from './ringtone.js';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

function useTicker(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const t = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(t);
  }, [active]);
  return now;
}

const clock = (ms: number) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

const REGISTRATION_WORDS: Record<PhoneState['registration'], string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  registered: 'Registered',
  failed: 'Not registered',
  unregistered: 'Not registered',
};

/**
 * The other party as a phone shows it: on a call that comes in, the name and the number the caller
 * presented (a customer's number when an assessor plays one), never an internal extension; on a
 * call placed, the name and the number dialled.
 */
export function callerText(call: CallState): string {
  const number = call.direction === 'inbound' ? call.presentedNumber : call.peerNumber;
  return number && number !== call.peerName ? `${call.peerName} (${number})` : call.peerName;
}

export function Softphone({ allowPresentedNumber = false }: { allowPresentedNumber?: boolean }) {
  const { phone, state, tab, useHere } = usePhone();
  const [target, setTarget] = useState('');
  const [presented, setPresented] = useState('');
  const [directory, setDirectory] = useState<DirectoryEntry[]>([]);
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [showKeypad, setShowKeypad] = useState(false);
  /** The open Transfer or Conference form, if any. */
  const [referKind, setReferKind] = useState<'blind' | 'conference'>();
  const [referTarget, setReferTarget] = useState('');
  const ring = useMemo(() => new RingTone(), []);

  useEffect(() => () => ring.stop(), [ring]);

  // The directory with presence: read once, then again whenever the server pushes that a phone of
  // the centre registered or unregistered, and after every (re)connection (a push may have been missed).
  useEffect(() => {
    // A read that fails keeps the list shown until the next push or reconnection.
    const load = () => {
      api<DirectoryResponse>('GET', '/api/directory').then((d) => setDirectory(d.entries), () => {});
    };
    return watchPresence(load);
  }, []);

  useEffect(() => {
    if (state.registration !== 'registered') return;
    navigator.mediaDevices.enumerateDevices().then(setDevices, () => {});
  }, [state.registration]);

  const call = state.call;
  useEffect(() => {
    // The ring tone while a call comes in, and the same UK ringing tone as the ringback a caller
    // hears while the other phone rings or the call waits for a Ready agent.
    if (call?.phase === 'incoming' || call?.phase === 'ringing') ring.start();
    else ring.stop();
  }, [call?.phase, ring]);
  const now = useTicker(call?.phase === 'connected');

  const refer = (e: FormEvent) => {
    e.preventDefault();
    if (!referKind || !referTarget.trim()) return;
    const entry = directory.find((d) => d.extension === referTarget.trim());
    phone?.refer(referTarget.trim(), referKind, entry?.displayName);
    setReferKind(undefined);
    setReferTarget('');
  };
  const inConference = (call?.parties ?? 2) > 2;
  const referPending = call?.referral?.state === 'pending';

  const dial = (e: FormEvent) => {
    e.preventDefault();
    const entry = directory.find((d) => d.extension === target.trim());
    if (target.trim()) phone?.dial(target.trim(), entry?.displayName, { presentedNumber: presented.trim() || undefined });
  };

  if (tab.kind === 'elsewhere')
    return (
      <div className="softphone" data-testid="softphone">
        <div className="notice phone-elsewhere" role="status" data-testid="phone-elsewhere">
          <strong>Your phone is open in another tab</strong>
          <p>
            {tab.otherInCall
              ? 'It is on a call there. When the call ends you can move the phone to this tab.'
              : 'Calls ring in that tab, not here. Move the phone here to take calls in this tab.'}
          </p>
          <button type="button" disabled={tab.otherInCall} onClick={useHere}>
            Move the phone to this tab
          </button>
        </div>
      </div>
    );

  return (
    <div className="softphone" data-testid="softphone">
      {/* An incoming call comes first: on top of the candidate's phone dock, fixed in the window's corner elsewhere. */}
      {call?.phase === 'incoming' && (
        <div className="incoming" role="alertdialog" aria-label="Incoming call" data-testid="incoming">
          <strong>Incoming call</strong>
          <span data-testid="caller">{callerText(call)}</span>
          <div className="row">
            <button type="button" className="answer" onClick={() => phone?.answer()}>
              Answer
            </button>
            <button type="button" className="decline" onClick={() => phone?.decline()}>
              Decline
            </button>
          </div>
        </div>
      )}

      <p className={`reg reg-${state.registration}`} data-testid="registration">
        <span className="dot" /> {REGISTRATION_WORDS[state.registration]}
        {state.extension && state.registration === 'registered' ? ` · extension ${state.extension}` : ''}
      </p>
      {state.registrationError && (
        <p className="error" role="alert" data-testid="registration-error">
          {state.registrationError}
        </p>
      )}

      {call && call.phase !== 'incoming' && (
        <div className="in-call" data-testid="call">
          <div>
            <strong data-testid="call-phase">
              {call.phase === 'dialling' ? 'Calling…' : call.phase === 'ringing' ? (call.queued ? 'Waiting…' : 'Ringing…') : call.held ? 'On hold' : 'Connected'}
            </strong>{' '}
            <span data-testid="caller">{callerText(call)}</span>
          </div>
          {call.phase === 'ringing' && call.queued && (
            <p className="muted" role="status" data-testid="call-queued">
              {notReadyYetWords(call.peerName)}
            </p>
          )}
          {call.answeredAt && <div className="timer" data-testid="call-timer">{clock(now - call.answeredAt)}</div>}
          {call.held && call.heldAt !== undefined && (
            <div className="timer hold-timer" data-testid="hold-timer">
              On hold {clock(now - call.heldAt)}
            </div>
          )}
          <div className="row">
            {call.phase === 'connected' && (
              <>
                <button type="button" onClick={() => phone?.toggleMute()} aria-pressed={call.muted}>
                  {call.muted ? 'Unmute' : 'Mute'}
                </button>
                {/* Hold would hold one of two other parties: not offered in a conference. */}
                {!inConference && (
                  // Disabled while a hold or resume is under way: a press then would be ignored.
                  <button type="button" onClick={() => void phone?.toggleHold()} aria-pressed={call.held} disabled={call.holdChanging !== undefined}>
                    {call.held ? 'Resume' : 'Hold'}
                  </button>
                )}
                <button type="button" onClick={() => setShowKeypad(!showKeypad)} aria-expanded={showKeypad}>
                  Keypad
                </button>
                {!inConference && (
                  <button type="button" disabled={referPending} aria-expanded={referKind === 'blind'} onClick={() => setReferKind(referKind === 'blind' ? undefined : 'blind')}>
                    Transfer
                  </button>
                )}
                {!inConference && (
                  <button type="button" disabled={referPending} aria-expanded={referKind === 'conference'} onClick={() => setReferKind(referKind === 'conference' ? undefined : 'conference')}>
                    Conference
                  </button>
                )}
              </>
            )}
            <button type="button" className="decline" onClick={() => phone?.hangup()}>
              Hang up
            </button>
          </div>
          {referKind && call.phase === 'connected' && (
            <form onSubmit={refer} className="refer" aria-label={referKind === 'blind' ? 'Transfer the call' : 'Add a party to the call'}>
              <label htmlFor="refer-target">{referKind === 'blind' ? 'Transfer to extension' : 'Add extension to the call'}</label>
              <input
                id="refer-target"
                list="refer-directory"
                inputMode="tel"
                autoFocus
                value={referTarget}
                onChange={(e) => setReferTarget(e.target.value)}
                onKeyDown={(e) => e.key === 'Escape' && setReferKind(undefined)}
              />
              <datalist id="refer-directory">
                {directory.filter((d) => d.extension !== state.extension).map((d) => (
                  <option key={d.userId} value={d.extension}>
                    {d.displayName} ({d.role}){d.registered ? '' : ' offline'}
                  </option>
                ))}
              </datalist>
              <button type="submit" disabled={!referTarget.trim()}>
                {referKind === 'blind' ? 'Transfer now' : 'Add to call'}
              </button>
              <button type="button" onClick={() => setReferKind(undefined)}>
                Cancel
              </button>
            </form>
          )}
          {call.holdFailed && call.phase === 'connected' && (
            <p className="error" role="alert" data-testid="hold-failed">
              {holdFailedWords(call.holdFailed)}
            </p>
          )}
          {(call.referral || inConference) && (
            <p role="status" data-testid="referral-status">
              {inConference
                ? `Conference: ${call.parties} parties`
                : call.referral?.kind === 'conference' && call.referral.state === 'done'
                  ? 'A party left the conference: 2 parties'
                  : call.referral?.message}
            </p>
          )}
          {showKeypad && call.phase === 'connected' && (
            <div className="keypad" role="group" aria-label="Keypad">
              {KEYS.map((k) => (
                <button type="button" key={k} onClick={() => phone?.sendDtmf(k)}>
                  {k}
                </button>
              ))}
              <output data-testid="dtmf">{state.dtmf}</output>
            </div>
          )}
        </div>
      )}

      {!call && (
        <form onSubmit={dial} className="dialler" aria-label="Dialler">
          <input aria-label="Number to call" placeholder="Extension" value={target} onChange={(e) => setTarget(e.target.value)} inputMode="tel" />
          <button type="submit" disabled={state.registration !== 'registered' || !target.trim()}>
            Call
          </button>
        </form>
      )}
      {!call && allowPresentedNumber && (
        <div>
          <label htmlFor="presented-number">Present as caller number (the customer you play)</label>
          <input id="presented-number" value={presented} onChange={(e) => setPresented(e.target.value)} inputMode="tel" placeholder="e.g. 07700 900123" />
        </div>
      )}
      {!call && state.lastCall?.endedReason && (
        <p className="muted" role="status" data-testid="last-call">
          {state.lastCall.endedReason}
        </p>
      )}

      {directory.length > 0 && (
        <details className="directory">
          <summary>Directory</summary>
          <ul>
            {directory.map((d) => (
              <li key={d.userId}>
                <button type="button" disabled={Boolean(call) || state.registration !== 'registered'} onClick={() => phone?.dial(d.extension, d.displayName)}>
                  Call {d.displayName}
                </button>{' '}
                {d.extension} · {d.role} {d.registered ? '' : '(offline)'}
              </li>
            ))}
          </ul>
        </details>
      )}

      {devices.length > 0 && (
        <details className="devices">
          <summary>Audio devices</summary>
          <label htmlFor="mic">Microphone</label>
          <select id="mic" onChange={(e) => phone?.setInputDevice(e.target.value)}>
            <option value="">Default</option>
            {devices.filter((d) => d.kind === 'audioinput').map((d) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || d.deviceId}
              </option>
            ))}
          </select>
          <label htmlFor="speaker">Speaker</label>
          <select id="speaker" onChange={(e) => void phone?.setOutputDevice(e.target.value)}>
            <option value="">Default</option>
            {devices.filter((d) => d.kind === 'audiooutput').map((d) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || d.deviceId}
              </option>
            ))}
          </select>
        </details>
      )}
    </div>
  );
}
