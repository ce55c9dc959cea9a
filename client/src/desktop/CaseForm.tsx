// The case form: complaint or query, the category from the scenario's list (shown in words, stored
// as its code), priority, a goodwill credit keyed in pounds, escalation and the description. The
// server checks every field again; an error it names shows under that field and nothing is saved.
import { CASE_PRIORITIES } from '../../../server/protocol/crm.js';
import { crm, type Case, type CaseCategory, type CasePriority, type NewCase } from './crm-api.js';
import { FieldError, FormFailure, useFormFeedback } from './ApiMessage.js';
import { useDesktop } from './DesktopContext.js';
import { creditProblem } from './field-checks.js';
import { priorityOptions } from './RecordTabs.js';
import { handled } from '../components/handled.js';
import { formText } from '../components/form-text.js';

const FIELDS = ['type', 'priority', 'category', 'credit', 'description', 'escalated'] as const;

export function CaseForm({ customerId, categories, onCreated }: { customerId: number; categories: CaseCategory[]; onCreated: (created: Case) => Promise<void> }) {
  const { attemptId } = useDesktop();
  const errors = useFormFeedback(FIELDS);

  const submit = errors.submitForm((f) => {
    const credit = formText(f, 'credit').trim();
    const body: NewCase = {
      type: f.get('type') === 'query' ? 'query' : 'complaint',
      priority: formText(f, 'priority') as CasePriority,
      description: formText(f, 'description').trim(),
      escalated: f.get('escalated') === 'on',
      category: formText(f, 'category') || null,
      credit: credit || null,
    };
    const problems: Record<string, string> = {};
    if (!body.description) problems.description = 'Describe the case.';
    const creditCheck = creditProblem(credit);
    if (creditCheck) problems.credit = creditCheck;
    return { problems, send: async () => (await crm.addCase(attemptId, customerId, body)).case };
  }, onCreated);

  return (
    <form onSubmit={handled(submit)} noValidate aria-label="New case" data-view-form="case">
      <div className="form-grid">
        <div>
          <label htmlFor="case-type">Type</label>
          <select name="type" {...errors.input('type', 'case-type')}>
            <option value="complaint">Complaint</option>
            <option value="query">Query</option>
          </select>
        </div>
        <div>
          <label htmlFor="case-category">Category</label>
          <select name="category" defaultValue="" {...errors.input('category', 'case-category')}>
            <option value="">Choose a category</option>
            {categories.map((c) => (
              <option key={c.code} value={c.code}>
                {c.label}
              </option>
            ))}
          </select>
          <FieldError id="case-category" message={errors.of('category')} />
        </div>
        <div>
          <label htmlFor="case-priority">Priority</label>
          <select name="priority" defaultValue="medium" {...errors.input('priority', 'case-priority')}>
            {priorityOptions(CASE_PRIORITIES)}
          </select>
          <FieldError id="case-priority" message={errors.of('priority')} />
        </div>
        <div>
          <label htmlFor="case-credit">Goodwill credit (£, optional)</label>
          <input name="credit" inputMode="decimal" autoComplete="off" placeholder="e.g. 20.00" {...errors.input('credit', 'case-credit')} />
          <FieldError id="case-credit" message={errors.of('credit')} />
        </div>
      </div>
      <label htmlFor="case-description">Description</label>
      <textarea name="description" rows={2} {...errors.input('description', 'case-description')} />
      <FieldError id="case-description" message={errors.of('description')} />
      <label className="check">
        <input type="checkbox" name="escalated" /> Escalate to a team leader
      </label>
      <div className="row">
        <button type="submit">Create case</button>
      </div>
      <FormFailure feedback={errors} />
    </form>
  );
}
