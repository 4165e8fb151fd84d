import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import { type FormEvent, useEffect, useState } from 'react';

import type { StageRole } from '../api/types';
import { ROLE_LABELS } from '../auth/roles';
import { SelectField, StatusSelect } from '../common/SelectField';
import { type FilterErrors, type ListFilters, NO_FILTERS, SORTS, STAGE_ROLES, validateFilters } from './filters';

/**
 * The list's filters: edited here, applied to the URL on submit. `stageFilter` shows the
 * decided-stage filter (the time-to-decision drill-down's), which only staff need, though
 * anyone whose URL sets it sees it, so the list never narrows unexplained.
 */
export function RequestFiltersForm({
  value,
  onApply,
  stageFilter = true,
}: {
  value: ListFilters;
  onApply: (filters: ListFilters) => void;
  stageFilter?: boolean;
}) {
  const [draft, setDraft] = useState(value);
  const [errors, setErrors] = useState<FilterErrors>(() => validateFilters(value));
  useEffect(() => {
    setDraft(value);
    setErrors(validateFilters(value));
  }, [value]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateFilters(draft);
    setErrors(found);
    if (Object.keys(found).length === 0) onApply(draft);
  }

  const text = (key: keyof FilterErrors, label: string, extra: object = {}) => ({
    id: `filter-${key}`,
    name: key,
    label,
    value: draft[key],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value }),
    error: Boolean(errors[key]),
    helperText: errors[key] ?? ' ',
    size: 'small' as const,
    ...extra,
  });

  const showStage = stageFilter || value.stage_role !== '';

  return (
    <Paper component="form" role="search" aria-label="Filter requests" onSubmit={submit} variant="outlined" sx={{ p: 2, mb: 2 }}>
      <Box
        sx={{
          display: 'grid',
          gap: 1.5,
          gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr', md: 'repeat(3, 1fr)', lg: showStage ? 'repeat(4, 1fr)' : 'repeat(6, 1fr)' },
        }}
      >
        <StatusSelect id="filter-status" value={draft.status} onChange={(status) => setDraft({ ...draft, status })} />
        {showStage ? (
          <TextField
            select
            id="filter-stage_role"
            label="Stage decided"
            size="small"
            value={draft.stage_role}
            helperText=" "
            slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
            onChange={(e) => setDraft({ ...draft, stage_role: e.target.value as StageRole | '' })}
          >
            <MenuItem value="">Any</MenuItem>
            {STAGE_ROLES.map((role) => (
              <MenuItem key={role} value={role}>
                {ROLE_LABELS[role]}
              </MenuItem>
            ))}
          </TextField>
        ) : null}
        <TextField {...text('created_from', 'Created from (UTC)', { type: 'date', slotProps: { inputLabel: { shrink: true } } })} />
        <TextField {...text('created_to', 'Created to (UTC)', { type: 'date', slotProps: { inputLabel: { shrink: true } } })} />
        <TextField {...text('amount_min', 'Minimum amount', { slotProps: { htmlInput: { inputMode: 'decimal' } } })} />
        <TextField {...text('amount_max', 'Maximum amount', { slotProps: { htmlInput: { inputMode: 'decimal' } } })} />
        <SelectField id="filter-sort" label="Sort by" value={draft.sort} options={SORTS} onChange={(sort) => setDraft({ ...draft, sort })} />
      </Box>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
        <Button type="submit" variant="contained">
          Apply filters
        </Button>
        <Button type="button" onClick={() => onApply(NO_FILTERS)}>
          Clear
        </Button>
      </Box>
    </Paper>
  );
}
