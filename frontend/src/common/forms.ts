import { type FormEvent, useRef, useState } from 'react';

import { toApiError } from '../api/errors';

/** Move focus to the first field with an error, so keyboard and screen reader users land on it. */
export function focusFirstError(form: HTMLFormElement | null, errors: Record<string, string | undefined>): void {
  const first = Object.keys(errors).find((name) => errors[name]);
  if (!form || first === undefined) return;
  const field = form.querySelector<HTMLElement>(`[name="${CSS.escape(first)}"]`);
  field?.focus();
}

/**
 * Submitting a form that is checked before it is sent: the mistakes `validate` finds, or else
 * the API's field errors, show on their fields with focus on the first; any other failure shows
 * as one message for the whole form (`errors._form`). `busy` stays set once `send` succeeds,
 * since the page then moves on.
 */
export function useFormSubmit<E extends Partial<Record<string, string>>>(validate: () => E, send: () => Promise<void>) {
  const form = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<E>({} as E);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstError(form.current, found);
      return;
    }
    setBusy(true);
    try {
      await send();
    } catch (reason) {
      const error = toApiError(reason);
      const fields = error.fieldErrors();
      const shown = (Object.keys(fields).length > 0 ? fields : { _form: error.message }) as E;
      setErrors(shown);
      focusFirstError(form.current, shown);
      setBusy(false);
    }
  }

  return { form, errors, setErrors, busy, submit };
}
