/** Move focus to the first field with an error, so keyboard and screen reader users land on it. */
export function focusFirstError(form: HTMLFormElement | null, errors: Record<string, string | undefined>): void {
  const first = Object.keys(errors).find((name) => errors[name]);
  if (!form || first === undefined) return;
  const field = form.querySelector<HTMLElement>(`[name="${CSS.escape(first)}"]`);
  field?.focus();
}
