// What the desktop says about a request that failed: in words, next to the field the server named
// (a per-field error under its input), otherwise as a notice for the whole form.
import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { ApiFailure } from '../api.js';
import { useTransient } from '../components/transient.js';

/** An API error in words, naming the field when the server named one. */
export function describeError(err: unknown): string {
  if (err instanceof ApiFailure) {
    if (err.code === 'version_conflict') return 'Someone else changed this record since you opened it. Reload it and make your change again.';
    return err.field ? `${err.field}: ${err.message}` : err.message;
  }
  return 'The server could not be reached. Your change was not saved.';
}

/** A form's notice: a confirmation goes away after a while (components/transient.ts), an error stays. */
export function Notice({ notice }: { notice: { kind: 'ok' | 'error'; text: string } | undefined }) {
  const confirmation = useTransient(notice?.kind === 'ok' ? notice : undefined);
  if (!notice || (notice.kind === 'ok' && !confirmation)) return null;
  return (
    <p className={notice.kind === 'ok' ? 'notice' : 'error'} role={notice.kind === 'ok' ? 'status' : 'alert'}>
      {notice.text}
    </p>
  );
}

export interface FieldErrors {
  /** The message for one field (the server's name for it, e.g. 'credit' or 'lines.1.productCode'). */
  of(field: string): string | undefined;
  /** Props for the input of `field` whose id is `id`: aria-invalid and the error's id. */
  input(field: string, id: string): { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined };
  /** Shows these messages (checked in the browser) and nothing else. */
  show(errors: Record<string, string>): void;
  /** A failed request: under its field if the form has one, else as the form's notice (returned). */
  fromFailure(err: unknown, fields: readonly string[]): string | undefined;
  clear(): void;
  any: boolean;
}

/** Per-field errors of one form. */
export function useFieldErrors(): FieldErrors {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const clear = useCallback(() => setErrors({}), []);
  return useMemo(
    () => ({
      of: (field) => errors[field],
      input: (field, id) => ({ id, 'aria-invalid': Boolean(errors[field]), 'aria-describedby': errors[field] ? `${id}-error` : undefined }),
      show: setErrors,
      fromFailure: (err, fields) => {
        if (err instanceof ApiFailure && err.field && fields.includes(err.field)) {
          setErrors({ [err.field]: err.message });
          return undefined;
        }
        setErrors({});
        return describeError(err);
      },
      clear,
      any: Object.keys(errors).length > 0,
    }),
    [errors, clear],
  );
}

export interface FormFeedback extends FieldErrors {
  /** What went wrong that no field of the form holds (shown by FormFailure). */
  failure: string | undefined;
  /**
   * Checks first (`problems` found in the browser, by field: nothing is sent if there are any),
   * then sends; a refusal shows under the field the server named, else as the form's failure.
   */
  submit(problems: Record<string, string>, send: () => Promise<void>): Promise<void>;
  /**
   * The submit handler of a form read from its own fields: `read` gives the problems found in the
   * browser and the request to send; once the server has taken it the form is emptied and `sent`
   * gets the server's answer (a failure of either shows as `submit` shows it).
   */
  submitForm<T>(read: (data: FormData) => { problems: Record<string, string>; send: () => Promise<T> }, sent: (answer: T) => Promise<void>): (e: FormEvent<HTMLFormElement>) => Promise<void>;
}

/** Per-field errors and the failure of one form whose fields the server names as `fields`. */
export function useFormFeedback(fields: readonly string[]): FormFeedback {
  const errors = useFieldErrors();
  const [failure, setFailure] = useState<string>();
  const submit = async (problems: Record<string, string>, send: () => Promise<void>) => {
    errors.show(problems);
    setFailure(undefined);
    if (Object.keys(problems).length > 0) return;
    try {
      await send();
    } catch (err) {
      setFailure(errors.fromFailure(err, fields));
    }
  };
  return {
    ...errors,
    failure,
    submit,
    submitForm: (read, sent) => async (e) => {
      e.preventDefault();
      const form = e.currentTarget;
      const { problems, send } = read(new FormData(form));
      await submit(problems, async () => {
        const answer = await send();
        // The server records it on the attempt's timeline as it stores it.
        form.reset();
        await sent(answer);
      });
    },
  };
}

/** The form's failure that belongs to none of its fields. */
export function FormFailure({ feedback, className }: { feedback: Pick<FormFeedback, 'failure'>; className?: string }) {
  if (!feedback.failure) return null;
  return (
    <p className={className ? `error ${className}` : 'error'} role="alert">
      {feedback.failure}
    </p>
  );
}

/** The error under an input, tied to it by id (see FieldErrors.input). */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span className="error field-error" id={`${id}-error`}>
      {message}
    </span>
  );
}
