import { CallList } from '../calls/CallList.js';
import { Softphone } from '../softphone/Softphone.js';

// The centre assessor's console: caller brief, call controls, live desktop timeline and marking.
export function ConsoleShell() {
  return (
    <div className="shell" data-testid="home-assessor">
      <h1>Assessor console</h1>
      <div className="panels">
        <section aria-label="Softphone">
          <h2>Softphone</h2>
          <Softphone />
        </section>
        <section aria-label="Caller brief">
          <h2>Caller brief</h2>
          <p className="muted">No sitting in progress.</p>
        </section>
        <section aria-label="Candidate activity">
          <h2>Candidate activity</h2>
          <p className="muted">Nothing yet.</p>
        </section>
      </div>
      <section aria-label="Calls">
        <h2>Calls and recordings</h2>
        <CallList />
      </section>
    </div>
  );
}
