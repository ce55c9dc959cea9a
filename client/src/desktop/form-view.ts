// What the assessor's live mirror shows of a form on the customer record as the candidate fills it
// in (before it is sent): the form marked `data-view-form` and its fields of the names the server
// knows for it (server/protocol/desktop-view.ts VIEW_FORMS), each as the desktop shows it: a
// choice in words (the option's text, never its code), "Yes" or "No" for a tick box.
import { MAX_VIEW_FIELD_CHARS, VIEW_FORMS, type DesktopView, type ViewFormName } from '../../../server/protocol/desktop-view.js';

export type ViewForm = NonNullable<DesktopView['form']>;

const isFormName = (name: string | undefined): name is ViewFormName => name !== undefined && Object.hasOwn(VIEW_FORMS, name);

/** The form's name and fields as they stand, or null for a form the mirror does not show. */
export function readViewForm(form: HTMLFormElement): ViewForm | null {
  const name = form.dataset.viewForm;
  if (!isFormName(name)) return null;
  const known: Record<string, string> = VIEW_FORMS[name].fields;
  const fields: Record<string, string> = {};
  for (const el of Array.from(form.elements)) {
    if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement)) continue;
    if (!el.name || !Object.hasOwn(known, el.name)) continue;
    let value: string;
    if (el instanceof HTMLInputElement && el.type === 'checkbox') value = el.checked ? 'Yes' : 'No';
    else if (el instanceof HTMLSelectElement) value = el.selectedOptions[0]?.value ? (el.selectedOptions[0].textContent ?? '') : '';
    else value = el.value;
    fields[el.name] = value.slice(0, MAX_VIEW_FIELD_CHARS);
  }
  return { name, fields };
}
