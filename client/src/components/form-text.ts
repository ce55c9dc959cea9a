/**
 * A text field of a submitted form. `FormData.get` also answers a File (for file inputs) or null
 * (no such field); both give `fallback`, so no form sends "[object File]" or "null".
 */
export function formText(form: FormData, name: string, fallback = ''): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : fallback;
}
