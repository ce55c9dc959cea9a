// A softphone on sip.js's stock UserAgent, Registerer, Inviter and Invitation, with the standard
// WebRTC SessionDescriptionHandler: plain SIP over WebSocket and plain SDP, nothing Callmark-only.
// It exposes one observable state object for the React UI.
import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  type Session,
} from 'sip.js';
import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web/session-description-handler/session-description-handler.js';
import { SIP_STATUS_WORDS, type SipCredentials } from '../../../server/protocol/telephony.js';
import { multiTrackSdhFactory } from './multi-track-sdh.js';

export type RegistrationState = 'idle' | 'connecting' | 'registered' | 'failed' | 'unregistered';

export interface CallState {
  direction: 'inbound' | 'outbound';
  peerName: string;
  peerNumber: string;
  /** The number the caller presented (an assessor playing a customer): used for screen pop. */
  presentedNumber?: string;
  phase: 'dialling' | 'ringing' | 'incoming' | 'connected' | 'ended';
  /** A call placed to an agent who is not Ready: it waits at the server (182 Queued) and rings once they are. */
  queued?: boolean;
  held: boolean;
  /** When this phone put the call on hold (for the hold timer); unset when not held. */
  heldAt?: number | undefined;
  /** A hold or resume this phone asked for is being negotiated (the button waits for its outcome). */
  holdChanging?: 'hold' | 'resume' | undefined;
  /**
   * The last hold or resume this phone asked for did not take: the server refused it, crossed it
   * with its own every time (491), or never answered. Said until the next press or the call's end.
   */
  holdFailed?: 'hold' | 'resume' | undefined;
  muted: boolean;
  answeredAt?: number;
  endedReason?: string;
  /** Parties in the call, this phone included: 3 in a conference. */
  parties: number;
  /**
   * A transfer or conference this phone asked for, while it runs and after it failed; `queued`
   * while it waits for a target who is not Ready (the server's NOTIFY says 182 Queued).
   */
  referral?: { kind: 'blind' | 'conference'; target: string; targetName?: string | undefined; state: 'pending' | 'failed' | 'done'; message: string; queued?: boolean };
}

/**
 * What a phone shows while a call it placed or transferred waits for a candidate who is not Ready
 * (the server's 182 Queued): the same words for a call dialled to them and for a transfer or
 * conference party brought to them.
 */
export const notReadyYetWords = (name: string): string => `${name} is not Ready yet: their phone rings as soon as they are.`;

/**
 * What a phone shows while its transfer or conference runs, and once a transfer is done: the
 * target by the name the server's directory (GET /api/directory) gives them, the same users-table
 * name the replay shows ("Transferred to Jane Hughes"); a target the directory does not list is not
 * named. Never the extension: staff see no internal numbers.
 */
export function referralWords(kind: 'blind' | 'conference', stage: 'pending' | 'queued' | 'done', name: string | undefined): string {
  if (stage === 'queued') return `Waiting… ${name ? notReadyYetWords(name) : 'They are not Ready yet: their phone rings as soon as they are.'}`;
  if (kind === 'conference') return name ? `Adding ${name} to the call…` : 'Adding them to the call…';
  if (stage === 'pending') return name ? `Transferring to ${name}…` : 'Transferring the call…';
  return name ? `Transferred to ${name}.` : 'Call transferred.';
}

/**
 * What the phone says when a hold or resume it asked for did not take: the call stays as the
 * button shows it, and pressing it again sends a new request.
 */
export function holdFailedWords(what: 'hold' | 'resume'): string {
  return what === 'resume' ? 'The call could not be taken off hold. Try again.' : 'The call could not be put on hold. Try again.';
}

/**
 * A refusal in words: SIP_STATUS_WORDS, except a call or transfer that waited for a candidate whose
 * sitting then ended (480 with that reason), which says so.
 */
export function refusalWords(code: number, reasonPhrase: string | undefined): string | undefined {
  if (code === 480 && /\(the sitting has ended\)$/.test(reasonPhrase ?? '')) return 'Not available (their sitting has ended)';
  return SIP_STATUS_WORDS[code];
}

export interface PhoneState {
  registration: RegistrationState;
  registrationError?: string;
  extension?: string;
  call?: CallState;
  lastCall?: CallState;
  dtmf: string;
}

type Listener = (s: PhoneState) => void;

/** Times a hold/resume re-INVITE refused with 491 (glare with the server's own) is sent again. */
const HOLD_GLARE_RETRIES = 3;
/**
 * sendHoldReinvite's answer when sip.js would not send it because an INVITE transaction of the
 * dialog is still in progress (the server's re-INVITE awaiting its ACK, or ours).
 */
const INVITE_IN_PROGRESS = -1;
/** How long a hold/resume waits for such a transaction: the 64*T1 after which it ends in any case (RFC 3261 §17.2.1). */
const IN_PROGRESS_WAIT_MS = 32_000;
const IN_PROGRESS_POLL_MS = 250;

export class Phone {
  private ua: UserAgent | undefined;
  /**
   * Set by stop(). A phone stopped while start() is still waiting (for the microphone, the
   * credentials or the connection) must not go on to register: it would be a second, unseen
   * registration of the same extension, and calls could ring it instead of the phone on screen.
   */
  private stopped = false;
  private registerer: Registerer | undefined;
  private session: Session | undefined;
  private readonly listeners = new Set<Listener>();
  /** Audio elements for remote tracks beyond the first (conference: one per other party). */
  private readonly extraAudio = new Map<string, HTMLAudioElement>();
  private sinkId: string | undefined;
  private inputDeviceId: string | undefined;
  /** A hold/resume re-INVITE is under way (or waiting to be sent again after a 491). */
  private holdChanging = false;
  state: PhoneState = { registration: 'idle', dtmf: '' };

  constructor(
    private readonly remoteAudio: HTMLAudioElement,
    private readonly fetchCredentials: () => Promise<SipCredentials>,
  ) {}

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    fn(this.state);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<PhoneState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  private setCall(patch: Partial<CallState> | undefined): void {
    if (!patch) return this.set({ call: undefined });
    if (!this.state.call) {
      // sip.js may report why a call failed (onReject) just after it reported it terminated.
      if (patch.endedReason && this.state.lastCall) this.set({ lastCall: { ...this.state.lastCall, endedReason: patch.endedReason } });
      return;
    }
    const call = { ...this.state.call, ...patch };
    if (call.phase === 'ended') this.set({ call: undefined, lastCall: call, dtmf: '' });
    else this.set({ call });
  }

  /** Checks the microphone, fetches credentials bound to this login and registers. */
  async start(): Promise<void> {
    this.set({ registration: 'connecting', registrationError: undefined });
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      stream.getTracks().forEach((t) => t.stop());
      if (this.stopped) return;
    } catch (err) {
      const name = err instanceof DOMException ? err.name : '';
      return this.set({
        registration: 'failed',
        registrationError:
          name === 'NotAllowedError'
            ? 'Microphone access was refused. Allow the microphone for this site and reload.'
            : name === 'NotFoundError'
              ? 'No microphone was found. Connect a headset and reload.'
              : `The microphone could not be opened (${name || String(err)}).`,
      });
    }
    let creds: SipCredentials;
    try {
      creds = await this.fetchCredentials();
    } catch (err) {
      return this.set({ registration: 'failed', registrationError: `Could not get phone credentials: ${err instanceof Error ? err.message : String(err)}` });
    }
    if (this.stopped) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const uri = UserAgent.makeURI(creds.uri);
    if (!uri) return this.set({ registration: 'failed', registrationError: `Bad SIP address ${creds.uri}` });
    this.ua = new UserAgent({
      uri,
      displayName: creds.displayName,
      authorizationUsername: creds.authorizationUsername,
      authorizationPassword: creds.password,
      transportOptions: { server: `${scheme}://${location.host}${creds.wsPath}`, traceSip: false },
      // The stock handler, keeping every remote track (see multi-track-sdh.ts).
      sessionDescriptionHandlerFactory: multiTrackSdhFactory(),
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: creds.iceServers },
        iceGatheringTimeout: 500,
      },
      logLevel: 'error',
      delegate: {
        onInvite: (invitation) => this.onIncoming(invitation),
        // Called for the lost connection and again for every reconnection that fails meanwhile.
        onDisconnect: () => {
          this.set({ registration: 'failed', registrationError: 'Lost the connection to the server; reconnecting…' });
          void this.reconnect();
        },
      },
    });
    this.set({ extension: creds.extension });
    const ua = this.ua;
    try {
      await ua.start();
    } catch {
      return this.set({ registration: 'failed', registrationError: 'The phone server could not be reached.' });
    }
    if (this.stopped) {
      await ua.stop().catch(() => {});
      return;
    }
    this.registerer = new Registerer(this.ua, { expires: 300 });
    this.registerer.stateChange.addListener((s) => {
      if (s === RegistererState.Registered) this.set({ registration: 'registered', registrationError: undefined });
      else if (s === RegistererState.Unregistered && this.reconnecting) return;
      else if (s === RegistererState.Unregistered && this.state.registration === 'registered') this.set({ registration: 'unregistered' });
    });
    await this.register();
  }

  /**
   * Sends a REGISTER and says how it went. The page's state is set from the answer itself, not
   * only from the Registerer's state changes: after a lost connection the Registerer may still be
   * "Registered", and registering again would then change no state and the page would never learn
   * the phone is back.
   */
  private register(): Promise<'accepted' | 'refused' | 'not-sent'> {
    const registerer = this.registerer;
    if (!registerer) return Promise.resolve('not-sent');
    return new Promise((resolve) => {
      // A REGISTER lost with the connection is answered by nobody: sip.js gives up on it after
      // 64*T1 (RFC 3261 §17.1.2.2, 32 s); this waits no longer either.
      const giveUp = window.setTimeout(() => resolve('not-sent'), 33_000);
      const done = (how: 'accepted' | 'refused' | 'not-sent') => {
        window.clearTimeout(giveUp);
        resolve(how);
      };
      registerer
        .register({
          requestDelegate: {
            onAccept: () => {
              this.set({ registration: 'registered', registrationError: undefined });
              done('accepted');
            },
            onReject: (response) => {
              const code = response.message.statusCode ?? 0;
              // 503 while the server shuts down or starts: try again, it is not a refusal.
              if (code === 503 || code === 408) return done('not-sent');
              this.set({
                registration: 'failed',
                registrationError:
                  code === 401 || code === 403 ? 'The phone server refused the sign-in. Log out and log in again.' : `The phone server refused the phone (${response.message.reasonPhrase ?? 'no reason given'}).`,
              });
              done('refused');
            },
          },
        })
        .catch(() => done('not-sent'));
    });
  }

  /** Set while the phone is connecting again; the one loop below runs at a time. */
  private reconnecting = false;

  /**
   * After the connection was lost (the server restarted, the network dropped): connect again and
   * register, waiting 1, 2, 4, 8 and then 10 s between tries, until the phone is registered, the
   * server refuses it, or the phone is stopped.
   */
  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    try {
      for (let attempt = 0; !this.stopped; attempt++) {
        await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** attempt, 10_000)));
        const ua = this.ua;
        if (!ua || this.stopped) return;
        try {
          await ua.reconnect();
        } catch {
          continue;
        }
        if ((await this.register()) !== 'not-sent') return;
      }
    } finally {
      this.reconnecting = false;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    try {
      await this.registerer?.unregister();
    } catch {
      /* gone already */
    }
    await this.ua?.stop();
    this.ua = undefined;
    this.set({ registration: 'idle' });
  }

  private sdhOptions() {
    return { constraints: { audio: this.inputDeviceId ? { deviceId: { exact: this.inputDeviceId } } : true, video: false } };
  }

  private watch(session: Session, call: CallState): void {
    this.session = session;
    this.set({ call });
    session.delegate = {
      onBye: (bye) => {
        const reason = /text="([^"]*)"/.exec(bye.request.getHeader('Reason') ?? '')?.[1];
        const referral = this.state.call?.referral;
        if (referral?.kind === 'blind' && referral.state === 'done') this.setCall({ endedReason: referralWords('blind', 'done', referral.targetName) });
        else this.setCall({ endedReason: reason ? `Call ended: ${reason}` : 'The other party hung up.' });
      },
      // A server re-INVITE: a party joined or left the conference, or a transfer changed who we hear.
      onInvite: () => {
        this.attachRemoteAudio(session);
        this.setCall({ parties: this.countParties(session) });
      },
    };
    session.stateChange.addListener((s) => {
      if (s === SessionState.Established) {
        this.attachRemoteAudio(session);
        this.setCall({ phase: 'connected', answeredAt: Date.now(), parties: this.countParties(session) });
      } else if (s === SessionState.Terminated) {
        this.remoteAudio.srcObject = null;
        this.detachExtraAudio();
        this.session = undefined;
        this.setCall({ phase: 'ended', endedReason: this.state.call?.endedReason ?? 'Call ended.' });
      }
    });
  }

  /**
   * Plays every remote track: the first on the page's audio element, each further one (a
   * conference party) on an element of its own. One element per track, because Chromium plays
   * only one audio track of a MediaStream given to a media element.
   */
  private attachRemoteAudio(session: Session): void {
    const sdh = session.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
    const pc = sdh?.peerConnection;
    if (!pc) return;
    const tracks = pc
      .getTransceivers()
      .filter((t) => t.currentDirection !== 'stopped' && t.receiver.track && t.receiver.track.readyState === 'live')
      .map((t) => t.receiver.track);
    const [first, ...more] = tracks;
    const current = (this.remoteAudio.srcObject as MediaStream | null)?.getAudioTracks()[0];
    if (first && current !== first) {
      this.remoteAudio.srcObject = new MediaStream([first]);
      void this.remoteAudio.play().catch(() => {});
    }
    for (const track of more) {
      if (this.extraAudio.has(track.id)) continue;
      const el = new Audio();
      el.autoplay = true;
      el.srcObject = new MediaStream([track]);
      const withSink = el as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
      if (this.sinkId) void withSink.setSinkId?.(this.sinkId).catch(() => {});
      void el.play().catch(() => {});
      this.extraAudio.set(track.id, el);
    }
  }

  private detachExtraAudio(): void {
    for (const el of this.extraAudio.values()) {
      el.pause();
      el.srcObject = null;
    }
    this.extraAudio.clear();
  }

  /**
   * This phone plus every m-line on which the server sends someone (one per other party): an
   * m-line that sends has an a=ssrc and is sendrecv or sendonly in the server's SDP.
   */
  private countParties(session: Session): number {
    const sdp = (session.sessionDescriptionHandler as SessionDescriptionHandler | undefined)?.peerConnection?.remoteDescription?.sdp;
    if (!sdp) return 2;
    const sending = sdp
      .split(/\r?\nm=/)
      .slice(1)
      .filter((m) => !/^audio 0 /.test(m) && /\r?\na=ssrc:/.test(m) && !/\r?\na=(recvonly|inactive)\r?$/m.test(m)).length;
    return Math.max(2, sending + 1);
  }

  /**
   * Blind transfer (kind 'blind') or bringing a party into the call (kind 'conference'): a REFER
   * to the server, whose NOTIFYs (message/sipfrag) say how the INVITE to the target went.
   * `targetName` is the directory's name for the extension, undefined when the directory does not
   * list it (the words then name nobody, see referralWords).
   */
  refer(target: string, kind: 'blind' | 'conference', targetName: string | undefined): void {
    const s = this.session;
    const call = this.state.call;
    const ext = target.trim();
    if (!this.ua || !s || !call || s.state !== SessionState.Established || !ext || call.referral?.state === 'pending') return;
    const uri = UserAgent.makeURI(`sip:${ext}@${this.ua.configuration.uri.host}`);
    if (!uri) return this.setCall({ referral: { kind, target: ext, state: 'failed', message: `${ext} is not a valid extension.` } });
    const verb = kind === 'blind' ? 'Transfer' : 'Conference';
    this.setCall({ referral: { kind, target: ext, targetName, state: 'pending', message: referralWords(kind, 'pending', targetName) } });
    // The attempt's timeline gets the transfer or conference from the server, which saw it on the SIP dialogs.
    const fail = (words: string) => this.setCall({ referral: { kind, target: ext, targetName, state: 'failed', message: `${verb} failed: ${words}` } });
    void s
      .refer(uri, {
        requestOptions: kind === 'conference' ? { extraHeaders: ['X-Callmark-Refer: conference'] } : undefined,
        requestDelegate: {
          onReject: (r) => {
            const code = r.message.statusCode ?? 0;
            fail((r.message.reasonPhrase ?? '').replace(/^.*\((.*)\)$/, '$1').toLowerCase() || `status ${code}`);
          },
        },
        onNotify: (n) => {
          void n.accept();
          const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/m.exec(n.request.body.trim());
          const code = Number(m?.[1] ?? 0);
          // 182 Queued: the target is a candidate who is not Ready; the server holds the transfer until they are.
          if (code === 182) this.setCall({ referral: { kind, target: ext, targetName, state: 'pending', queued: true, message: referralWords(kind, 'queued', targetName) } });
          if (code < 200) return;
          if (code < 300) {
            const parties = kind === 'conference' ? 3 : call.parties;
            this.setCall({ referral: { kind, target: ext, targetName, state: 'done', message: kind === 'blind' ? referralWords('blind', 'done', targetName) : `Conference: ${parties} parties` } });
          } else fail(code === 482 ? 'already in this call' : (refusalWords(code, m?.[2]) ?? `status ${code}`).toLowerCase());
        },
      })
      .catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
  }

  dial(target: string, peerName = target, opts: { presentedNumber?: string | undefined; presentedName?: string | undefined } = {}): void {
    if (!this.ua || this.session) return;
    const uri = UserAgent.makeURI(`sip:${target}@${this.ua.configuration.uri.host}`);
    if (!uri) return;
    // An assessor playing a customer presents the customer's number and name (the server passes them on only from assessors).
    const extraHeaders = opts.presentedNumber ? [`X-Presented-Number: ${opts.presentedNumber}`, ...(opts.presentedName ? [`X-Presented-Name: ${opts.presentedName}`] : [])] : [];
    const inviter = new Inviter(this.ua, uri, { sessionDescriptionHandlerOptions: this.sdhOptions(), extraHeaders });
    this.watch(inviter, { direction: 'outbound', peerName, peerNumber: target, phase: 'dialling', held: false, muted: false, parties: 2 });
    void inviter
      .invite({
        requestDelegate: {
          onProgress: (r) => {
            // 182 Queued (RFC 3261 §21.1.4): the agent is not Ready, the server holds the call until they are.
            if (r.message.statusCode === 182) this.setCall({ phase: 'ringing', queued: true });
            if (r.message.statusCode === 180) this.setCall({ phase: 'ringing', queued: false });
          },
          onReject: (r) => {
            const code = r.message.statusCode ?? 0;
            // In words only: staff do not read SIP status codes.
            this.setCall({ endedReason: refusalWords(code, r.message.reasonPhrase) ?? 'The call could not be connected' });
          },
        },
      })
      .catch((err: unknown) => this.setCall({ phase: 'ended', endedReason: `Call failed: ${err instanceof Error ? err.message : String(err)}` }));
  }

  private onIncoming(invitation: Invitation): void {
    if (this.session) {
      void invitation.reject({ statusCode: 486 });
      return;
    }
    const from = invitation.remoteIdentity;
    this.watch(invitation, {
      direction: 'inbound',
      peerName: from.displayName || from.uri.user || 'Unknown',
      peerNumber: from.uri.user ?? '',
      presentedNumber: invitation.request.getHeader('X-Presented-Number') ?? undefined,
      phase: 'incoming',
      held: false,
      muted: false,
      parties: 2,
    });
    invitation.delegate = {
      ...invitation.delegate,
      onCancel: () => this.setCall({ endedReason: 'The caller hung up before you answered.' }),
    };
    // sip.js sends 180 Ringing only when asked: the caller hears ringing from now on.
    void invitation.progress().catch(() => {});
  }

  answer(): void {
    if (this.session instanceof Invitation && this.session.state === SessionState.Initial) {
      void this.session.accept({ sessionDescriptionHandlerOptions: this.sdhOptions() });
    }
  }

  decline(): void {
    if (this.session instanceof Invitation && this.session.state === SessionState.Initial) {
      this.setCall({ endedReason: 'You declined the call.' });
      void this.session.reject({ statusCode: 603 });
    }
  }

  hangup(): void {
    const s = this.session;
    if (!s) return;
    this.setCall({ endedReason: 'You hung up.' });
    if (s.state === SessionState.Established) void s.bye();
    else if (s instanceof Inviter) void s.cancel();
    else if (s instanceof Invitation) void s.reject({ statusCode: 603 });
  }

  /**
   * Hold or resume with a re-INVITE. `held` changes only once it is accepted, so the button (and
   * the desktop's hold/resume timeline entries) never show a state the server did not take; a
   * second press while one is under way, a glare retry included, is ignored. When it does not
   * take (refused, glare every time, no answer) the call says so (`holdFailed`) until the next press.
   */
  async toggleHold(): Promise<void> {
    const s = this.session;
    const call = this.state.call;
    if (!s || !call || s.state !== SessionState.Established || this.holdChanging) return;
    this.holdChanging = true;
    const asked = call.held ? 'resume' : 'hold';
    this.setCall({ holdChanging: asked, holdFailed: undefined });
    let taken = false;
    try {
      taken = await this.negotiateHold(s, !call.held, call.direction === 'outbound');
    } finally {
      this.holdChanging = false;
      // A call that ended meanwhile has nothing left to say about its hold.
      if (this.session === s && s.state === SessionState.Established) this.setCall({ holdChanging: undefined, holdFailed: taken ? undefined : asked });
    }
  }

  /**
   * A 491 means the server's own re-INVITE crossed ours (RFC 3261 §14.1): once that one is done,
   * ours is sent again. We wait 2.1–4 s when this phone generated the dialog's Call-ID (we placed
   * the call) and 0–2 s otherwise, the server doing the opposite, so the two do not cross again.
   * Resolves true once the re-INVITE is accepted, false when it is given up.
   */
  private async negotiateHold(s: Session, hold: boolean, ownsCallId: boolean): Promise<boolean> {
    let waitedMs = 0;
    for (let retries = 0; ; ) {
      const status = await this.sendHoldReinvite(s, hold);
      // RFC 3261 §14.1 (https://www.rfc-editor.org/rfc/rfc3261#section-14.1): "If there is an
      // ongoing INVITE server transaction, the TU MUST wait until the transaction reaches the
      // confirmed or terminated state before initiating the new INVITE." Before, the press was
      // dropped here and the phone stayed "Connected" (tests/e2e/hold-glare.browser.test.ts).
      if (status === INVITE_IN_PROGRESS && waitedMs < IN_PROGRESS_WAIT_MS) {
        // sip.js had already applied the offer it then did not send; it is rolled back (JSEP,
        // RFC 8829 §4.1.10.2, "rollback") so the next try can make a new one.
        const pc = (s.sessionDescriptionHandler as SessionDescriptionHandler | undefined)?.peerConnection;
        if (pc?.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
        await new Promise((r) => setTimeout(r, IN_PROGRESS_POLL_MS));
        waitedMs += IN_PROGRESS_POLL_MS;
        if (this.session !== s || s.state !== SessionState.Established) return false;
        continue;
      }
      if (status >= 200 && status < 300) return true;
      // Any other refusal (a 500 when the server's media did not answer, 488...), a transaction
      // that timed out (sip.js's own 408), or glare every time: given up, and said (toggleHold).
      if (status !== 491 || retries++ >= HOLD_GLARE_RETRIES) return false;
      await new Promise((r) => setTimeout(r, ownsCallId ? 2100 + Math.random() * 1900 : Math.random() * 2000));
      if (this.session !== s || s.state !== SessionState.Established) return false;
    }
  }

  /** One hold/resume re-INVITE; resolves with its final status (0 when it could not be sent). */
  private sendHoldReinvite(s: Session, hold: boolean): Promise<number> {
    s.sessionDescriptionHandlerOptionsReInvite = { hold } as never;
    return new Promise((resolve) => {
      void s
        .invite({
          requestDelegate: {
            onAccept: (r) => {
              this.setCall({ held: hold, heldAt: hold ? Date.now() : undefined });
              resolve(r.message.statusCode ?? 200);
            },
            // sip.js has rolled the offer back and cleared its pending re-INVITE: a new one may follow.
            onReject: (r) => resolve(r.message.statusCode ?? 0),
          },
        })
        .catch((err: unknown) => resolve(err instanceof Error && /ongoing re-INVITE|Reinvite in progress/i.test(err.message) ? INVITE_IN_PROGRESS : 0));
    });
  }

  toggleMute(): void {
    const call = this.state.call;
    const sdh = this.session?.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
    if (!call || !sdh) return;
    sdh.enableSenderTracks(call.muted);
    this.setCall({ muted: !call.muted });
  }

  sendDtmf(digit: string): void {
    const s = this.session;
    if (!s || s.state !== SessionState.Established || !/^[0-9*#A-D]$/.test(digit)) return;
    // RFC 4733 in the media and SIP INFO for the server's call timeline.
    (s.sessionDescriptionHandler as SessionDescriptionHandler | undefined)?.sendDtmf(digit);
    void s.info({ requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${digit}\r\nDuration=100` } } });
    this.set({ dtmf: (this.state.dtmf + digit).slice(-20) });
  }

  setInputDevice(deviceId: string | undefined): void {
    this.inputDeviceId = deviceId || undefined;
  }

  async setOutputDevice(deviceId: string): Promise<void> {
    this.sinkId = deviceId;
    for (const el of [this.remoteAudio, ...this.extraAudio.values()]) {
      const audio = el as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
      await audio.setSinkId?.(deviceId);
    }
  }
}
