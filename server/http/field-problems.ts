// A 400 that names every bad field of a request at once (server/api/input.ts sends it):
//   { error: 'validation', message: <first problem>, field: <its path>, fields: { <path>: <message> } }
import { HttpError } from './errors.js';

export class ValidationFailed extends HttpError {
  constructor(readonly fields: Record<string, string>) {
    const [field, message] = Object.entries(fields)[0] ?? ['', 'The request is not valid.'];
    super(400, 'validation', message, field || undefined);
  }
}

/** Collects field problems (the first message per field wins), then throws them all together. */
export class FieldProblems {
  private readonly fields: Record<string, string> = {};
  add(field: string, message: string): void {
    this.fields[field] ??= message;
  }
  get empty(): boolean {
    return Object.keys(this.fields).length === 0;
  }
  /** The 400 naming every problem collected so far. */
  error(): ValidationFailed {
    return new ValidationFailed({ ...this.fields });
  }
  throwIfAny(): void {
    if (!this.empty) throw this.error();
  }
}
