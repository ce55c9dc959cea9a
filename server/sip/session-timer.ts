// Session timers (RFC 4028, https://www.rfc-editor.org/rfc/rfc4028) on a dialog the B2BUA holds as
// UAS: the interval negotiated from the INVITE's Session-Expires and Min-SE, and the timer that
// either refreshes the session (when the B2BUA is the refresher) or ends it when the refresher
// stops refreshing. Timers run on the injected Clock.
import type { Clock } from '../clock.js';
import { SUPPORTED } from './capabilities.js';
import type { HeaderList, SipRequest, SipResponse } from './message.js';

/**
 * The smallest session interval accepted. RFC 4028 §4: "the Min-SE header field ... MUST NOT be
 * less than 90 seconds" (https://www.rfc-editor.org/rfc/rfc4028#section-4), and 90 is the
 * RECOMMENDED value of §5.
 */
export const MIN_SE_S = 90;
/** RFC 4028 §4: "the RECOMMENDED value for the Session-Expires is 1800 seconds" when a UAS adds one. */
export const DEFAULT_SE_S = 1800;

export type Refresher = 'uac' | 'uas';

export type SessionTimerOffer =
  /** No session timer for this dialog. */
  | { kind: 'none' }
  /** RFC 4028 §8.1, https://www.rfc-editor.org/rfc/rfc4028#section-8.1: 422 with Min-SE, the interval asked for is below our minimum. */
  | { kind: 'too-brief'; headers: HeaderList }
  | { kind: 'malformed'; reason: string }
  /** The interval and who refreshes, and the headers of the 2xx that says so. */
  | { kind: 'timer'; intervalS: number; refresher: Refresher; headers: HeaderList };

function supportsTimer(request: SipRequest): boolean {
  const tags = [...request.getHeaders('supported'), ...request.getHeaders('require'), ...request.getHeaders('k')].join(',');
  return tags.split(',').some((t) => t.trim().toLowerCase() === 'timer');
}

/** `Session-Expires: delta-seconds *(;se-params)` (RFC 4028 §4), the `x` short form included. */
function parseSessionExpires(value: string): { intervalS: number; refresher?: Refresher } | undefined {
  const m = /^\s*(\d{1,10})\s*((?:;[^;]*)*)$/.exec(value);
  if (!m) return undefined;
  const refresher = /;\s*refresher\s*=\s*(uac|uas)\b/i.exec(m[2] ?? '')?.[1]?.toLowerCase() as Refresher | undefined;
  return { intervalS: Number(m[1]), refresher };
}

/**
 * What the B2BUA, as UAS, answers to the session-timer headers of an INVITE, re-INVITE or UPDATE
 * (RFC 4028 §9, https://www.rfc-editor.org/rfc/rfc4028#section-9).
 */
export function negotiateAsUas(request: SipRequest): SessionTimerOffer {
  const raw = request.getHeader('session-expires') ?? request.getHeader('x');
  if (raw === undefined) {
    // "If the incoming request contains a Supported header field with a value 'timer' but does not
    // contain a Session-Expires header, it means that the UAS is indicating support for timers but
    // is not requesting one. The UAS may request a session timer in the 2XX response by including a
    // Session-Expires header field." Not requested here: the caller's side decides.
    return { kind: 'none' };
  }
  const asked = parseSessionExpires(raw);
  if (!asked) return { kind: 'malformed', reason: 'Bad Session-Expires' };
  const minSe = request.getHeader('min-se');
  if (minSe !== undefined && !/^\s*\d{1,10}\s*(;.*)?$/.test(minSe)) return { kind: 'malformed', reason: 'Bad Min-SE' };
  // §9: "If the Session-Expires interval is too small ... the UAS MAY respond with a 422 (Session
  // Interval Too Small) ... [it] MUST contain a Min-SE header field with the minimum timer
  // duration."  (Only when the UAC supports the extension; otherwise the interval is raised.)
  const uacSupports = supportsTimer(request);
  if (asked.intervalS < MIN_SE_S && uacSupports) return { kind: 'too-brief', headers: [['Min-SE', String(MIN_SE_S)]] };
  const intervalS = Math.max(asked.intervalS, MIN_SE_S);
  // §9: "If the UAC supports the extension and set the refresher parameter to 'uac', the UAS MUST
  // set it to 'uac'. If the UAC supports the extension and set the refresher parameter to 'uas',
  // the UAS MUST set it to 'uas'. If the UAC supports the extension and did not set the refresher
  // parameter, the UAS MUST set it to 'uac' or 'uas'. If the UAC does not support the extension,
  // the UAS MUST set it to 'uas'." Left to us, the caller's phone refreshes (it knows when it
  // goes away; the B2BUA then only has to watch).
  const refresher: Refresher = !uacSupports ? 'uas' : (asked.refresher ?? 'uac');
  const headers: HeaderList = [['Session-Expires', `${intervalS};refresher=${refresher}`]];
  // §9: "If the refresher parameter in the Session-Expires header field in the 2xx response has a
  // value of 'uac', the UAS MUST place a Require header field into the response with the value 'timer'."
  if (refresher === 'uac') headers.push(['Require', 'timer']);
  return { kind: 'timer', intervalS, refresher, headers };
}

/**
 * The extension headers of an initial INVITE we send (to a callee, to a party added by REFER).
 * RFC 4028 §7.1, https://www.rfc-editor.org/rfc/rfc4028#section-7.1: "A UAC which supports the
 * session timer extension defined here MUST include a Supported header field in each request
 * (except ACK), listing the option tag 'timer'", and "The UAC MAY include a Session-Expires header
 * field". Supported also offers 100rel: the far end may send reliable provisionals, which we PRACK
 * (RFC 3262 §4, `prackIfReliable` in outgoing-invite.ts).
 */
export function uacInviteHeaders(sessionExpiresS = DEFAULT_SE_S): HeaderList {
  return [
    ['Supported', SUPPORTED],
    ['Session-Expires', String(sessionExpiresS)],
    ['Min-SE', String(MIN_SE_S)],
  ];
}

/**
 * The session timer of a dialog the B2BUA opened as UAC (the callee's), from the 2xx to our INVITE,
 * which asked for `requestedS` seconds. RFC 4028 §7.2
 * (https://www.rfc-editor.org/rfc/rfc4028#section-7.2): "The UAC MUST set the identity of the
 * refresher to the value of this parameter. If the parameter contains the value 'uac', the UAC
 * will perform them", and when "there was no Require or Session-Expires header field in the 2xx
 * response ... the UAC follows the procedures defined in this specification as if the
 * Session-Expires header field were in the 2xx response, and its value was the same as the one in
 * the request, but with a refresher parameter of 'uac'." `weRefresh`: the B2BUA refreshes.
 */
export function negotiatedAsUac(response: SipResponse, requestedS: number): { intervalS: number; weRefresh: boolean } {
  const raw = response.getHeader('session-expires') ?? response.getHeader('x');
  const granted = raw === undefined ? undefined : parseSessionExpires(raw);
  if (!granted) return { intervalS: requestedS, weRefresh: true };
  return { intervalS: Math.max(granted.intervalS, MIN_SE_S), weRefresh: granted.refresher !== 'uas' };
}

/**
 * The running timer of one dialog. When the far end refreshes, RFC 4028 §10
 * (https://www.rfc-editor.org/rfc/rfc4028#section-10): "If the side not performing refreshes does
 * not receive a session refresh request before the session expiration, it SHOULD send a BYE to
 * terminate the session, slightly before the session expiration. The minimum of 32 seconds and
 * one third of the session interval is RECOMMENDED." When we refresh, §7.4: "the UAC SHOULD send
 * a refresh ... at ... half the session expiration" (the same for a refreshing UAS, §9).
 */
export class SessionTimer {
  private cancel: (() => void) | undefined;
  /** The interval now negotiated, and whether the B2BUA is the one that refreshes it. */
  intervalS = 0;
  weRefresh = false;

  constructor(
    private readonly clock: Clock,
    private readonly handlers: { expired: () => void; refreshNow: () => void },
  ) {}

  /** (Re)starts the timer after a successful (re-)negotiation in a dialog where the B2BUA is the UAS. */
  start(intervalS: number, refresher: Refresher): void {
    this.run(intervalS, refresher === 'uas');
  }

  /** (Re)starts the timer: refreshing it ourselves, or watching the other side refresh it. */
  run(intervalS: number, weRefresh: boolean): void {
    this.stop();
    this.intervalS = intervalS;
    this.weRefresh = weRefresh;
    if (weRefresh) {
      this.cancel = this.clock.setTimer((intervalS * 1000) / 2, () => this.handlers.refreshNow());
      return;
    }
    const beforeEnd = Math.min(32, intervalS / 3);
    this.cancel = this.clock.setTimer((intervalS - beforeEnd) * 1000, () => this.handlers.expired());
  }

  stop(): void {
    this.weRefresh = false;
    this.cancel?.();
    this.cancel = undefined;
  }
}
