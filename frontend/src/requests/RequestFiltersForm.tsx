import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import { type FormEvent, useEffect, useState } from 'react';

import type { RequestStatus, StageRole } from '../api/types';
import { ROLE_LABELS } from '../auth/roles';
import { REQUEST_STATUSES, STATUS_LABELS } from '../common/status';
import { type FilterErrors, type ListFilters, NO_FILTERS, SORTS, type Sort, STAGE_ROLES, validateFilters } from './filters';

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
        <TextField
          select
          id="filter-status"
          label="Status"
          size="small"
          value={draft.status}
          helperText=" "
          slotProps={{
            select: {
              multiple: true,
              renderValue: (selected) =>
                (selected as RequestStatus[]).map((s) => STATUS_LABELS[s]).join(', ') || 'Any',
              displayEmpty: true,
            },
            inputLabel: { shrink: true },
          }}
          onChange={(e) => {
            const selected = e.target.value as unknown as RequestStatus[] | string;
            setDraft({ ...draft, status: (typeof selected === 'string' ? selected.split(',') : selected) as RequestStatus[] });
          }}
        >
          {REQUEST_STATUSES.map((status) => (
            <MenuItem key={status} value={status}>
              {STATUS_LABELS[status]}
            </MenuItem>
          ))}
        </TextField>
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
        <TextField
          select
          id="filter-sort"
          label="Sort by"
          size="small"
          value={draft.sort}
          helperText=" "
          onChange={(e) => setDraft({ ...draft, sort: e.target.value as Sort })}
        >
          {SORTS.map((sort) => (
            <MenuItem key={sort.value} value={sort.value}>
              {sort.label}
            </MenuItem>
          ))}
        </TextField>
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
