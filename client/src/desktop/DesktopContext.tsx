import type { DesktopView } from '../../../server/protocol/desktop-view.js';
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
  /** The open record's tab and the form being filled in, for the assessor's live mirror (null: no record open). */
  reportRecordView: (view: RecordView | null) => void;
}

/** The record's part of what the candidate sees now (server/protocol/desktop-view.ts). */
export interface RecordView {
  tab: NonNullable<DesktopView['recordTab']>;
  form: DesktopView['form'];
}

export const DesktopContext = createContext<DesktopContextValue>({
  attemptId: '',
  record: () => {},
  openCustomer: () => {},
  customerId: undefined,
  customerChanged: () => {},
  reportRecordView: () => {},
});
export const useDesktop = (): DesktopContextValue => useContext(DesktopContext);
