import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import { useTranslation } from 'react-i18next';

import type { RequestStatus } from '../api/types';
import { REQUEST_STATUSES, statusLabel } from './status';

// Both keep an empty helper line, so they line up with the text fields beside them in a filter form.

/** A small select of one of `options`; `fullWidth` fills its container (a flex item sized by its parent). */
export function SelectField<V extends string>({
  id,
  label,
  value,
  options,
  onChange,
  fullWidth = false,
}: {
  id: string;
  label: string;
  value: V;
  options: readonly { value: V; label: string }[];
  onChange: (value: V) => void;
  fullWidth?: boolean;
}) {
  return (
    <TextField
      select
      id={id}
      label={label}
      size="small"
      value={value}
      helperText=" "
      fullWidth={fullWidth}
      onChange={(e) => onChange(e.target.value as V)}
    >
      {options.map((option) => (
        <MenuItem key={option.value} value={option.value}>
          {option.label}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** A small select of any number of request statuses; none selected reads "Any". */
export function StatusSelect({ id, value, onChange }: { id: string; value: RequestStatus[]; onChange: (value: RequestStatus[]) => void }) {
  const { t } = useTranslation();
  return (
    <TextField
      select
      id={id}
      label={t('filters.status')}
      size="small"
      value={value}
      helperText=" "
      slotProps={{
        select: {
          multiple: true,
          displayEmpty: true,
          renderValue: (selected) => (selected as RequestStatus[]).map((s) => statusLabel(s)).join(', ') || t('filters.any'),
        },
        inputLabel: { shrink: true },
      }}
      onChange={(e) => {
        // Browser autofill sets a multiple select's value as comma-separated text.
        const selected = e.target.value as unknown as RequestStatus[] | string;
        onChange((typeof selected === 'string' ? selected.split(',') : selected) as RequestStatus[]);
      }}
    >
      {REQUEST_STATUSES.map((status) => (
        <MenuItem key={status} value={status}>
          {statusLabel(status)}
        </MenuItem>
      ))}
    </TextField>
  );
}
