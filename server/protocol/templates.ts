// The placeholder syntax of message templates ("Dear {{title}} {{lastName}}"), shared by the
// server, which fills them from the records (server/crm/template-fill.ts), and the desktop, which
// fills what is left as records are chosen and will not send a message that still holds one.

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/** Replaces the placeholders it has values for; the others stay as they are. */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string | undefined>>): string {
  return text.replace(PLACEHOLDER, (whole, key: string) => (Object.hasOwn(values, key) && values[key] !== undefined ? values[key] : whole));
}

/** The placeholders still in the texts, each once, as written ("{{slot}}"). */
export function unfilledPlaceholders(...texts: string[]): string[] {
  return [...new Set(texts.flatMap((t) => [...t.matchAll(PLACEHOLDER)].map((m) => m[0])))];
}
