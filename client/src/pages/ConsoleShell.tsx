import { AttemptPanel } from '../console/AttemptPanel.js';
import { CallList } from '../calls/CallList.js';
import { PhoneProvider } from '../softphone/PhoneContext.js';
import { Softphone } from '../softphone/Softphone.js';

// The centre assessor's console: caller brief, call controls, live desktop timeline and marking.
export function ConsoleShell() {
  return (
    <PhoneProvider>
    <div className="shell" data-testid="home-assessor">
      <h1>Assessor console</h1>
      <div className="panels">
        <section aria-label="Softphone">
          <h2>Softphone</h2>
          <Softphone allowPresentedNumber />
        </section>
        <section aria-label="Caller brief">
          <h2>Caller brief</h2>
          <p className="muted">No sitting in progress.</p>
        </section>
        <section aria-label="Candidate activity">
          <h2>Candidate activity</h2>
          <AttemptPanel />
        </section>
      </div>
      <section aria-label="Calls">
        <h2>Calls and recordings</h2>
        <CallList />
      </section>
    </div>
    </PhoneProvider>
  );
}
