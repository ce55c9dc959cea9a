import { Softphone } from '../softphone/Softphone.js';

// The candidate's agent desktop. This is its frame; the softphone, screen pop, CRM and wrap-up
// panels fill it as the Calls and Agent desktop issues land.
export function DesktopShell() {
  return (
    <div className="shell" data-testid="home-candidate">
      <h1>Agent desktop</h1>
      <div className="panels">
        <section aria-label="Softphone">
          <h2>Softphone</h2>
          <Softphone />
        </section>
        <section aria-label="Customer record">
          <h2>Customer record</h2>
          <p className="muted">No call in progress.</p>
        </section>
        <section aria-label="Assignment">
          <h2>Assignment</h2>
          <p className="muted">No sitting has been started for you.</p>
        </section>
      </div>
    </div>
  );
}
