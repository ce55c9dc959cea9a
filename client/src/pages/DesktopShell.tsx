// The candidate's home: the agent desktop on the sitting's current attempt, with the phone shared
// by all its panels, headed (beside the phone dock) by the sitting banner (clock, the current
// assignment's brief, my results) when the candidate has a sitting. Without a sitting the desktop takes the candidate's open
// (practice) attempt as before.
import { AgentDesktop } from '../desktop/AgentDesktop.js';
import { SittingBanner, useCandidateSitting } from '../sitting/CandidateSitting.js';
import { PhoneProvider } from '../softphone/PhoneContext.js';

export function DesktopShell() {
  const sitting = useCandidateSitting();
  const attemptId = sitting.detail?.currentAttemptId ?? undefined;
  return (
    <PhoneProvider>
      {sitting.ready ? (
        // A new current attempt (the next assignment, a re-take) opens a fresh desktop on it.
        <AgentDesktop key={attemptId ?? 'no-sitting-attempt'} attemptId={attemptId} banner={<SittingBanner handle={sitting} />} />
      ) : (
        <>
          <SittingBanner handle={sitting} />
          <p className="muted">Loading your assignment…</p>
        </>
      )}
    </PhoneProvider>
  );
}
