import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import { type FormEvent, useEffect, useState } from 'react';

import { isDay } from '../common/dates';
import { SelectField, StatusSelect } from '../common/SelectField';
import { AMOUNT_BANDS, type DashboardFilters } from './drilldown';

type Errors = Partial<Record<'from' | 'to', string>>;

function validate(filters: DashboardFilters): Errors {
  const errors: Errors = {};
  if (!isDay(filters.from)) errors.from = 'Enter a date as YYYY-MM-DD.';
  if (!isDay(filters.to)) errors.to = 'Enter a date as YYYY-MM-DD.';
  if (!errors.from && !errors.to && filters.from > filters.to) errors.to = 'The end date must not be before the start date.';
  return errors;
}

export function DashboardFiltersForm({ value, onApply }: { value: DashboardFilters; onApply: (filters: DashboardFilters) => void }) {
  const [draft, setDraft] = useState(value);
  const [errors, setErrors] = useState<Errors>({});
  useEffect(() => setDraft(value), [value]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validate(draft);
    setErrors(found);
    if (Object.keys(found).length === 0) onApply(draft);
  }

  return (
    <Paper component="form" role="search" aria-label="Dashboard filters" variant="outlined" onSubmit={submit} sx={{ p: 2, mb: 3 }}>
      <Box sx={{ display: 'grid', gap: 1.5, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr', md: 'repeat(4, 1fr)' } }}>
        {(['from', 'to'] as const).map((key) => (
          <TextField
            key={key}
            id={`dashboard-${key}`}
            name={key}
            type="date"
            size="small"
            label={key === 'from' ? 'From (UTC)' : 'To (UTC)'}
            value={draft[key]}
            onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
            error={Boolean(errors[key])}
            helperText={errors[key] ?? ' '}
            slotProps={{ inputLabel: { shrink: true } }}
          />
        ))}
        <StatusSelect id="dashboard-status" value={draft.status} onChange={(status) => setDraft({ ...draft, status })} />
        <SelectField
          id="dashboard-band"
          label="Amount band"
          value={draft.band}
          options={AMOUNT_BANDS}
          onChange={(band) => setDraft({ ...draft, band })}
        />
      </Box>
      <Button type="submit" variant="contained">
        Apply filters
      </Button>
    </Paper>
  );
}
