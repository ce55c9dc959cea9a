import { createContext, useContext } from 'react';
import type { SessionInfo } from '../../server/protocol/roles.js';

export interface SessionContextValue {
  session: SessionInfo | undefined;
  setSession: (s: SessionInfo | undefined) => void;
}

export const SessionContext = createContext<SessionContextValue>({ session: undefined, setSession: () => {} });
export const useSession = (): SessionContextValue => useContext(SessionContext);
