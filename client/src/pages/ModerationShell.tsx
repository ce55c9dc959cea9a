import { CallList } from '../calls/CallList.js';
// The moderator's view: centres, sittings, replay and adjusted marks.
export function ModerationShell() {
  return (
    <div className="shell" data-testid="home-moderator">
      <h1>Moderation</h1>
      <div className="panels">
        <section aria-label="Sample">
          <h2>Sample</h2>
          <p className="muted">No sittings to moderate yet.</p>
        </section>
        <section aria-label="Replay">
          <h2>Replay</h2>
          <p className="muted">Choose a sitting to replay its calls.</p>
        </section>
      </div>
      <section aria-label="Calls">
        <h2>Calls and recordings</h2>
        <CallList />
      </section>
    </div>
  );
}
