import type { DesktopEventType } from '../../../server/protocol/timeline.js';
import { createContext, useContext } from 'react';

export interface DesktopContextValue {
  attemptId: string;
  /** Records a desktop action on the attempt's timeline (queued while offline, sent exactly once). */
  record: (type: DesktopEventType, payload: Record<string, unknown>) => void;
  openCustomer: (id: number | undefined) => void;
  customerId: number | undefined;
  /** Tells the rest of the desktop that the open customer's record changed (e.g. a new e-mail). */
  customerChanged: () => void;
}

export const DesktopContext = createContext<DesktopContextValue>({
  attemptId: '',
  record: () => {},
  openCustomer: () => {},
  customerId: undefined,
  customerChanged: () => {},
});
export const useDesktop = (): DesktopContextValue => useContext(DesktopContext);
