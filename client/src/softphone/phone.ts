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

export type RegistrationState = 'idle' | 'connecting' | 'registered' | 'failed' | 'unregistered';

export interface CallState {
  direction: 'inbound' | 'outbound';
  peerName: string;
  peerNumber: string;
  /** The number the caller presented (an assessor playing a customer): used for screen pop. */
  presentedNumber?: string;
  phase: 'dialling' | 'ringing' | 'incoming' | 'connected' | 'ended';
  held: boolean;
  muted: boolean;
  answeredAt?: number;
  endedReason?: string;
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

export class Phone {
  private ua: UserAgent | undefined;
  private registerer: Registerer | undefined;
  private session: Session | undefined;
  private readonly listeners = new Set<Listener>();
  private inputDeviceId: string | undefined;
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
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const uri = UserAgent.makeURI(creds.uri);
    if (!uri) return this.set({ registration: 'failed', registrationError: `Bad SIP address ${creds.uri}` });
    this.ua = new UserAgent({
      uri,
      displayName: creds.displayName,
      authorizationUsername: creds.authorizationUsername,
      authorizationPassword: creds.password,
      transportOptions: { server: `${scheme}://${location.host}${creds.wsPath}`, traceSip: false },
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: creds.iceServers },
        iceGatheringTimeout: 500,
      },
      logLevel: 'error',
      delegate: {
        onInvite: (invitation) => this.onIncoming(invitation),
        onDisconnect: (error) => {
          if (error) this.set({ registration: 'failed', registrationError: 'Lost the connection to the server; reconnecting…' });
          void this.reconnect();
        },
      },
    });
    this.set({ extension: creds.extension });
    try {
      await this.ua.start();
    } catch {
      return this.set({ registration: 'failed', registrationError: 'The phone server could not be reached.' });
    }
    this.registerer = new Registerer(this.ua, { expires: 300 });
    this.registerer.stateChange.addListener((s) => {
      if (s === RegistererState.Registered) this.set({ registration: 'registered', registrationError: undefined });
      else if (s === RegistererState.Unregistered && this.state.registration === 'registered') this.set({ registration: 'unregistered' });
    });
    await this.registerer.register({
      requestDelegate: {
        onReject: (response) => {
          const code = response.message.statusCode ?? 0;
          this.set({
            registration: 'failed',
            registrationError: code === 401 || code === 403 ? 'The phone server refused the sign-in (authentication failed).' : `Registration refused: ${code} ${response.message.reasonPhrase ?? ''}`,
          });
        },
      },
    });
  }

  private async reconnect(): Promise<void> {
    for (let attempt = 0; attempt < 10 && this.ua; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** attempt, 15_000)));
      try {
        await this.ua.reconnect();
        await this.registerer?.register();
        return;
      } catch {
        /* try again */
      }
    }
  }

  async stop(): Promise<void> {
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
        this.setCall({ endedReason: reason ? `Call ended: ${reason}` : 'The other party hung up.' });
      },
    };
    session.stateChange.addListener((s) => {
      if (s === SessionState.Established) {
        this.attachRemoteAudio(session);
        this.setCall({ phase: 'connected', answeredAt: Date.now() });
      } else if (s === SessionState.Terminated) {
        this.remoteAudio.srcObject = null;
        this.session = undefined;
        this.setCall({ phase: 'ended', endedReason: this.state.call?.endedReason ?? 'Call ended.' });
      }
    });
  }

  private attachRemoteAudio(session: Session): void {
    const sdh = session.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
    const pc = sdh?.peerConnection;
    if (!pc) return;
    const stream = new MediaStream();
    pc.getReceivers().forEach((r) => r.track && stream.addTrack(r.track));
    this.remoteAudio.srcObject = stream;
    void this.remoteAudio.play().catch(() => {});
  }

  dial(target: string, peerName = target, opts: { presentedNumber?: string } = {}): void {
    if (!this.ua || this.session) return;
    const uri = UserAgent.makeURI(`sip:${target}@${this.ua.configuration.uri.host}`);
    if (!uri) return;
    const extraHeaders = opts.presentedNumber ? [`X-Presented-Number: ${opts.presentedNumber}`] : [];
    const inviter = new Inviter(this.ua, uri, { sessionDescriptionHandlerOptions: this.sdhOptions(), extraHeaders });
    this.watch(inviter, { direction: 'outbound', peerName, peerNumber: target, phase: 'dialling', held: false, muted: false });
    void inviter
      .invite({
        requestDelegate: {
          onProgress: (r) => {
            if (r.message.statusCode === 180) this.setCall({ phase: 'ringing' });
          },
          onReject: (r) => {
            const code = r.message.statusCode ?? 0;
            this.setCall({ endedReason: `${SIP_STATUS_WORDS[code] ?? r.message.reasonPhrase ?? 'Call failed'} (${code})` });
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

  async toggleHold(): Promise<void> {
    const s = this.session;
    const call = this.state.call;
    if (!s || !call || s.state !== SessionState.Established) return;
    const hold = !call.held;
    s.sessionDescriptionHandlerOptionsReInvite = { hold } as never;
    await s.invite({
      requestDelegate: {
        onAccept: () => this.setCall({ held: hold }),
        onReject: () => this.setCall({ held: call.held }),
      },
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
    const audio = this.remoteAudio as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
    await audio.setSinkId?.(deviceId);
  }
}
