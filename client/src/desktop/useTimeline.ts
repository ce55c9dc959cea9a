// Records desktop actions on the attempt's timeline through the realtime client: queued while
// offline (and across a reload), sent in order, stored exactly once by the server.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DesktopEventPayload, DesktopEventType } from '../../../server/protocol/timeline.js';
import { TimelineClient, type TimelineState } from '../realtime/timeline-client.js';

export interface TimelineHandle {
  record: (type: DesktopEventType, payload: Record<string, unknown>) => void;
  online: boolean;
  pending: number;
}

export function useTimeline(attemptId: string): TimelineHandle {
  const client = useRef<TimelineClient | undefined>(undefined);
  // Actions recorded before the client exists (the first render) wait here instead of being lost.
  const early = useRef<Array<[DesktopEventType, DesktopEventPayload]>>([]);
  const [state, setState] = useState<Pick<TimelineState, 'online' | 'pending'>>({ online: false, pending: 0 });
  useEffect(() => {
    const c = new TimelineClient({ attemptId });
    client.current = c;
    for (const [type, payload] of early.current.splice(0)) c.record(type, payload);
    const unsubscribe = c.subscribe((s) => setState({ online: s.online, pending: s.pending }));
    return () => {
      unsubscribe();
      client.current = undefined;
      c.close();
    };
  }, [attemptId]);
  const record = useCallback((type: DesktopEventType, payload: Record<string, unknown>) => {
    if (client.current) client.current.record(type, payload);
    else early.current.push([type, payload]);
  }, []);
  return { record, online: state.online, pending: state.pending };
}
