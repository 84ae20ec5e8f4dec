import type { ComponentProps } from "react";

interface FormFieldProps extends Omit<ComponentProps<"input">, "id"> {
  id: string;
  label: string;
  /** Shown under the input and announced with it. */
  hint?: string | undefined;
  /** Marks the input invalid and is announced with it. */
  error?: string | undefined;
}

/**
 * Label, input, hint and error, tied by `htmlFor` and `aria-describedby` rather than by
 * wrapping: text inside a label would become part of the field's accessible name.
 */
export function FormField({ id, label, hint, error, ...input }: FormFieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint ? (
        <span id={hintId} className="muted">
          {hint}
        </span>
      ) : null}
      {error ? (
        <span id={errorId} className="field-error">
          {error}
        </span>
      ) : null}
    </div>
  );
}
