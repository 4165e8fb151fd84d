import TextField from '@mui/material/TextField';

import { dayPattern } from '../i18n/format';

/**
 * A UTC day typed in the language's own format ("11/28/2026", "28/11/2026"): the hint under the
 * field shows that format, and so does the message when it cannot be read. The value is the
 * text as typed; i18n/format.ts's parseDayInput reads it.
 */
export function DayField({
  id,
  name,
  label,
  value,
  error,
  onChange,
}: {
  id: string;
  name: string;
  label: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  const pattern = dayPattern();
  return (
    <TextField
      id={id}
      name={name}
      label={label}
      size="small"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={Boolean(error)}
      helperText={error ?? pattern}
      autoComplete="off"
      slotProps={{ inputLabel: { shrink: true }, htmlInput: { inputMode: 'numeric', maxLength: 10 } }}
    />
  );
}
