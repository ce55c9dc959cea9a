// The internal quality assurer's home (/iqa): signed sittings to check and countersign,
// standardisation exercises, and the IQA's own declarations of personal interest.
import { ConflictsPanel } from '../assurance/ConflictsPanel.js';
import { IqaQueue } from '../iqa/IqaHome.js';
import { Section } from '../components/Section.js';
import { StandardisationAdmin } from '../iqa/StandardisationAdmin.js';

export function IqaShell() {
  return (
    <div className="shell" data-testid="home-iqa">
      <h1>Internal quality assurance</h1>
      <Section heading="Sittings to check">
        <IqaQueue />
      </Section>
      <Section heading="Standardisation">
        <StandardisationAdmin />
      </Section>
      <Section heading="Personal interests">
        <ConflictsPanel />
      </Section>
    </div>
  );
}
