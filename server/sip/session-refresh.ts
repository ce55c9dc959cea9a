// The session timers of a call's dialogs (RFC 4028, the negotiation and the timer itself are in
// session-timer.ts): started by the 2xx we send, restarted by each refresh, our refresh sent as a
// re-INVITE when we are the refresher, and the call ended when the refresher stops refreshing.
import { stillInCall, type Call } from './call.js';
import type { CallContext } from './call-context.js';
import type { DialogLeg } from './dialog-leg.js';
import { SessionTimer, type SessionTimerOffer } from './session-timer.js';

export class SessionRefresh {
  constructor(private readonly ctx: CallContext) {}

  /** Starts the leg's session timer as negotiated in the 2xx we sent it. */
  startSessionTimer(call: Call, leg: DialogLeg, timer: Extract<SessionTimerOffer, { kind: 'timer' }>): void {
    this.timerOf(call, leg).start(timer.intervalS, timer.refresher);
  }

  /** Starts the session timer of a dialog we opened (the callee's), as the 2xx to our INVITE set it (RFC 4028 §7.2, https://www.rfc-editor.org/rfc/rfc4028#section-7.2). */
  startAsUac(call: Call, leg: DialogLeg, timer: { intervalS: number; weRefresh: boolean }): void {
    this.timerOf(call, leg).run(timer.intervalS, timer.weRefresh);
  }

  private timerOf(call: Call, leg: DialogLeg): SessionTimer {
    leg.sessionTimer ??= new SessionTimer(this.ctx.opts.clock, {
      expired: () => this.sessionExpired(call, leg),
      refreshNow: () => {
        if (!stillInCall(call, leg)) return;
        // Our refresh is a re-INVITE with the leg's current media (sip.js answers no UPDATE).
        void this.ctx.reinvite(call, leg);
      },
    });
    return leg.sessionTimer;
  }

  /**
   * A refresh (re-INVITE or UPDATE) from the leg was answered 2xx: the interval starts again. RFC
   * 4028 §9: a refresh without Session-Expires turns the timer off ("the UAS MUST NOT ... [use] a
   * session timer" when the UAC neither requested nor supports one).
   */
  sessionRefreshed(call: Call, leg: DialogLeg, timer: SessionTimerOffer): void {
    if (call.phase !== 'answered' || !call.legs().includes(leg)) return;
    if (timer.kind === 'timer') this.startSessionTimer(call, leg, timer);
    else leg.sessionTimer?.stop();
  }

  /** The refresher of this leg's dialog did not refresh in time: the session is over. */
  private sessionExpired(call: Call, leg: DialogLeg): void {
    if (call.phase !== 'answered' || !call.legs().includes(leg)) return;
    const reason = `session timer expired: no refresh from the ${leg.role}`;
    call.log.warn({ leg: leg.role }, reason);
    this.ctx.event(call, 'session-expired', leg.role);
    if (call.party) {
      if (leg.conn.isOpen) this.ctx.sendInDialog(leg, 'BYE', { headers: [['Reason', `SIP;cause=408;text="${reason}"`]] });
      void this.ctx.leaveConference(call, leg, reason);
      return;
    }
    void this.ctx.hangup(call, null, reason, 408);
  }

  /** Our session refresh failed (RFC 4028 §10, https://www.rfc-editor.org/rfc/rfc4028#section-10): the dialog is gone, so the call ends. */
  refreshFailed(call: Call, leg: DialogLeg, status: number): void {
    if (call.phase !== 'answered' || !call.legs().includes(leg)) return;
    call.log.warn({ leg: leg.role, status }, 'session refresh failed');
    this.ctx.event(call, 'session-expired', leg.role, { refreshStatus: status });
    void this.ctx.hangup(call, null, `session refresh to the ${leg.role} failed (${status})`, 408);
  }

}
