// One Phone per page, shared by the softphone panel and the rest of the desktop (screen pop on an
// incoming call, click-to-dial from a record or the call list), and one active phone per browser:
// a second tab of the same login shows the phone is open elsewhere until it is moved (phone-tab.ts).
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { SipCredentials } from '../../../server/protocol/telephony.js';
import { api } from '../api.js';
import { Phone, type PhoneState } from './phone.js';
import { PhoneTab, type TabRole } from './phone-tab.js';

interface PhoneContextValue {
  phone: Phone | undefined;
  state: PhoneState;
  /** Whether this tab has the phone, or another tab of this browser has it (and whether it is on a call). */
  tab: TabRole;
  /** Moves the phone to this tab (the other tab's phone unregisters). */
  useHere: () => void;
}

const IDLE: PhoneState = { registration: 'idle', dtmf: '' };
const PhoneContext = createContext<PhoneContextValue>({ phone: undefined, state: IDLE, tab: { kind: 'active' }, useHere: () => {} });
export const usePhone = (): PhoneContextValue => useContext(PhoneContext);

export function PhoneProvider({ children }: { children: ReactNode }) {
  const audioRef = useRef<HTMLAudioElement>(null);
  const [phone, setPhone] = useState<Phone>();
  const [state, setState] = useState<PhoneState>(IDLE);
  const [tab, setTab] = useState<TabRole>({ kind: 'checking' });
  const tabRef = useRef<PhoneTab | undefined>(undefined);
  useEffect(() => {
    const audio = audioRef.current;
    if (!audio) return;
    // A new Phone each time this tab gets the phone: a stopped Phone never registers again.
    let p: Phone | undefined;
    let unsubscribe = () => {};
    const stopPhone = () => {
      unsubscribe();
      void p?.stop();
      p = undefined;
    };
    const owner = new PhoneTab({
      role: setTab,
      active: () => {
        p = new Phone(audio, () => api<SipCredentials>('POST', '/api/sip/credentials'));
        setPhone(p);
        unsubscribe = p.subscribe(setState);
        void p.start();
      },
      lost: () => {
        stopPhone();
        setPhone(undefined);
        setState(IDLE);
      },
    });
    tabRef.current = owner;
    owner.start();
    return () => {
      owner.dispose();
      stopPhone();
    };
  }, []);
  // Leaving or reloading the page ends the call: the browser asks first while one is ringing or up
  // (https://html.spec.whatwg.org/multipage/browsing-the-web.html#unloading-documents: a cancelled
  // beforeunload event makes the browser confirm the navigation with the user).
  const inCall = state.call !== undefined;
  useEffect(() => tabRef.current?.announceCall(inCall), [inCall]);
  useEffect(() => {
    if (!inCall) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [inCall]);
  return (
    <PhoneContext.Provider value={{ phone, state, tab, useHere: () => tabRef.current?.useHere() }}>
      <audio ref={audioRef} autoPlay data-testid="remote-audio" />
      {children}
    </PhoneContext.Provider>
  );
}
