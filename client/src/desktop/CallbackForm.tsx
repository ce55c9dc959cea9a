// The callback and task form: a callback to the customer or a follow-up task (an engineer visit, a
// team leader's review), when it is due, its priority, why, and a number to call if not the one on
// file. The server checks each field again; an error it names shows under that field.
import { CALLBACK_PRIORITIES } from '../../../server/protocol/crm.js';
import { crm, type Callback, type CallbackPriority, type NewCallback } from './crm-api.js';
import { FieldError, FormFailure, useFormFeedback } from './ApiMessage.js';
import { useDesktop } from './DesktopContext.js';
import { priorityOptions } from './RecordTabs.js';
import { handled } from '../components/handled.js';
import { formText } from '../components/form-text.js';

const FIELDS = ['kind', 'dueAt', 'priority', 'reason', 'phone'] as const;

export function CallbackForm({ customerId, onCreated }: { customerId: number; onCreated: (created: Callback) => Promise<void> }) {
  const { attemptId } = useDesktop();
  const errors = useFormFeedback(FIELDS);

  const submit = errors.submitForm((f) => {
    const body: NewCallback = {
      kind: f.get('kind') === 'task' ? 'task' : 'callback',
      dueAt: formText(f, 'dueAt'),
      priority: formText(f, 'priority') as CallbackPriority,
      reason: formText(f, 'reason').trim(),
      phone: formText(f, 'phone').trim() || null,
    };
    const problems: Record<string, string> = {};
    if (!body.dueAt) problems.dueAt = 'Choose when it is due.';
    if (!body.reason) problems.reason = 'Say what it is for.';
    return { problems, send: async () => (await crm.addCallback(attemptId, customerId, body)).callback };
  }, onCreated);

  return (
    <form className="form-grid" onSubmit={handled(submit)} noValidate aria-label="New callback or task" data-view-form="callback">
      <div>
        <label htmlFor="cb-kind">Kind</label>
        <select name="kind" {...errors.input('kind', 'cb-kind')}>
          <option value="callback">Callback to the customer</option>
          <option value="task">Task (e.g. engineer visit)</option>
        </select>
      </div>
      <div>
        <label htmlFor="cb-due">Due</label>
        <input name="dueAt" type="datetime-local" {...errors.input('dueAt', 'cb-due')} />
        <FieldError id="cb-due" message={errors.of('dueAt')} />
      </div>
      <div>
        <label htmlFor="cb-priority">Priority</label>
        <select name="priority" defaultValue="normal" {...errors.input('priority', 'cb-priority')}>
          {priorityOptions(CALLBACK_PRIORITIES)}
        </select>
      </div>
      <div>
        <label htmlFor="cb-phone">Number to call (if not the one on file)</label>
        <input name="phone" type="tel" autoComplete="off" {...errors.input('phone', 'cb-phone')} />
        <FieldError id="cb-phone" message={errors.of('phone')} />
      </div>
      <div className="span-all">
        <label htmlFor="cb-reason">Reason</label>
        <input name="reason" autoComplete="off" {...errors.input('reason', 'cb-reason')} />
        <FieldError id="cb-reason" message={errors.of('reason')} />
      </div>
      <div className="row span-all">
        <button type="submit">Create callback</button>
      </div>
      <FormFailure feedback={errors} className="span-all" />
    </form>
  );
}
