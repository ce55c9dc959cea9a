// Records desktop actions on the attempt's timeline through the realtime client: queued while
// offline (and across a reload), sent in order, stored exactly once by the server.
import { useCallback, useEffect, useState } from 'react';
import type { DesktopEventPayload, DesktopEventType } from '../../../server/protocol/timeline.js';
import { TimelineClient, type TimelineState } from '../realtime/timeline-client.js';

export interface TimelineHandle {
  record: (type: DesktopEventType, payload: Record<string, unknown>) => void;
  online: boolean;
  pending: number;
}

export function useTimeline(attemptId: string): TimelineHandle {
  const [client, setClient] = useState<TimelineClient>();
  const [state, setState] = useState<Pick<TimelineState, 'online' | 'pending'>>({ online: false, pending: 0 });
  useEffect(() => {
    const c = new TimelineClient({ attemptId });
    setClient(c);
    const unsubscribe = c.subscribe((s) => setState({ online: s.online, pending: s.pending }));
    return () => {
      unsubscribe();
      c.close();
    };
  }, [attemptId]);
  const record = useCallback(
    (type: DesktopEventType, payload: Record<string, unknown>) => {
      client?.record(type, payload as DesktopEventPayload);
    },
    [client],
  );
  return { record, online: state.online, pending: state.pending };
}
