// The internal quality assurer's home (/iqa): signed sittings to check and countersign,
// standardisation exercises, and the IQA's own declarations of personal interest.
import { ConflictsPanel } from '../assurance/ConflictsPanel.js';
import { IqaQueue } from '../iqa/IqaHome.js';
import { StandardisationAdmin } from '../iqa/StandardisationAdmin.js';

export function IqaShell() {
  return (
    <div className="shell" data-testid="home-iqa">
      <h1>Internal quality assurance</h1>
      <section aria-labelledby="iqa-sittings">
        <h2 id="iqa-sittings">Sittings to check</h2>
        <IqaQueue />
      </section>
      <section aria-labelledby="iqa-standardisation">
        <h2 id="iqa-standardisation">Standardisation</h2>
        <StandardisationAdmin />
      </section>
      <section aria-labelledby="iqa-interests">
        <h2 id="iqa-interests">Personal interests</h2>
        <ConflictsPanel />
      </section>
    </div>
  );
}
