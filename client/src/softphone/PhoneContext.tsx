// One Phone per page, shared by the softphone panel and the rest of the desktop (screen pop on an
// incoming call, click-to-dial from a record or the call list).
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { SipCredentials } from '../../../server/protocol/telephony.js';
import { api } from '../api.js';
import { Phone, type PhoneState } from './phone.js';

interface PhoneContextValue {
  phone: Phone | undefined;
  state: PhoneState;
}

const PhoneContext = createContext<PhoneContextValue>({ phone: undefined, state: { registration: 'idle', dtmf: '' } });
export const usePhone = (): PhoneContextValue => useContext(PhoneContext);

export function PhoneProvider({ children }: { children: ReactNode }) {
  const audioRef = useRef<HTMLAudioElement>(null);
  const [phone, setPhone] = useState<Phone>();
  const [state, setState] = useState<PhoneState>({ registration: 'idle', dtmf: '' });
  useEffect(() => {
    if (!audioRef.current) return;
    const p = new Phone(audioRef.current, () => api<SipCredentials>('POST', '/api/sip/credentials'));
    setPhone(p);
    const unsubscribe = p.subscribe(setState);
    void p.start();
    return () => {
      unsubscribe();
      void p.stop();
    };
  }, []);
  // Leaving or reloading the page ends the call: the browser asks first while one is ringing or up
  // (https://html.spec.whatwg.org/multipage/browsing-the-web.html#unloading-documents: a cancelled
  // beforeunload event makes the browser confirm the navigation with the user).
  const inCall = state.call !== undefined;
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
    <PhoneContext.Provider value={{ phone, state }}>
      <audio ref={audioRef} autoPlay data-testid="remote-audio" />
      {children}
    </PhoneContext.Provider>
  );
}
