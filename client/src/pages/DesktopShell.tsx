// The candidate's home, framed as a contact-centre agent desktop: the phone dock on the left (filled
// by the agent desktop, kept in the window), and beside it the sitting banner (clock, the current
// assignment's brief, my results) when the candidate has a sitting, then the agent desktop's
// workspace on the sitting's current attempt; the phone is shared by all its panels. The frame and
// the banner stay mounted when the desktop opens afresh on a new attempt. Without a sitting the desktop takes the candidate's open
// (practice) attempt as before.
import { useState } from 'react';
import { AgentDesktop } from '../desktop/AgentDesktop.js';
import { SittingBanner, useCandidateSitting } from '../sitting/CandidateSitting.js';
import { PhoneProvider } from '../softphone/PhoneContext.js';
import { NotYet } from '../components/AsyncState.js';

export function DesktopShell() {
  const sitting = useCandidateSitting();
  const attemptId = sitting.detail?.currentAttemptId ?? undefined;
  const [dock, setDock] = useState<HTMLElement | null>(null);
  return (
    <PhoneProvider>
      <div className="desktop">
        <aside className="phone-dock" aria-label="Phone" ref={setDock} />
        <div className="desktop-main">
          <SittingBanner handle={sitting} />
          {sitting.ready ? (
            // A new current attempt (the next assignment, a re-take) opens a fresh desktop on it.
            <AgentDesktop key={attemptId ?? 'no-sitting-attempt'} attemptId={attemptId} dock={dock} />
          ) : (
            <NotYet loading="Loading your assignment…" />
          )}
        </div>
      </div>
    </PhoneProvider>
  );
}
