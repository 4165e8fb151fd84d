import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import type { StageRole } from '../api/types';
import { roleLabel } from '../auth/roles';
import { CollapsibleFilters } from '../common/CollapsibleFilters';
import { DayField } from '../common/DayField';
import { SelectField, StatusSelect } from '../common/SelectField';
import {
  activeFilters,
  type FilterErrors,
  fromDraft,
  type ListFilters,
  NO_FILTERS,
  SORTS,
  sortLabel,
  STAGE_ROLES,
  toDraft,
  validateFilters,
} from './filters';

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
  const { t } = useTranslation();
  const [draft, setDraft] = useState(() => toDraft(value));
  const [errors, setErrors] = useState<FilterErrors>(() => validateFilters(value));
  useEffect(() => {
    setDraft(toDraft(value));
    setErrors(validateFilters(value));
  }, [value]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const filters = fromDraft(draft);
    const found = validateFilters(filters);
    setErrors(found);
    if (Object.keys(found).length === 0) onApply(filters);
  }

  const text = (key: 'amount_min' | 'amount_max', label: string) => ({
    id: `filter-${key}`,
    name: key,
    label,
    value: draft[key],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value }),
    error: Boolean(errors[key]),
    helperText: errors[key] ?? ' ',
    size: 'small' as const,
    slotProps: { htmlInput: { inputMode: 'decimal' as const } },
  });
  const day = (key: 'created_from' | 'created_to', label: string) => ({
    id: `filter-${key}`,
    name: key,
    label,
    value: draft[key],
    error: errors[key],
    onChange: (next: string) => setDraft({ ...draft, [key]: next }),
  });

  const showStage = stageFilter || value.stage_role !== '';

  return (
    <CollapsibleFilters label={t('filters.formLabel')} active={activeFilters(value)} onSubmit={submit}>
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
            label={t('filters.stageDecided')}
            size="small"
            value={draft.stage_role}
            helperText=" "
            slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
            onChange={(e) => setDraft({ ...draft, stage_role: e.target.value as StageRole | '' })}
          >
            <MenuItem value="">{t('filters.any')}</MenuItem>
            {STAGE_ROLES.map((role) => (
              <MenuItem key={role} value={role}>
                {roleLabel(role)}
              </MenuItem>
            ))}
          </TextField>
        ) : null}
        <DayField {...day('created_from', t('filters.createdFrom'))} />
        <DayField {...day('created_to', t('filters.createdTo'))} />
        <TextField {...text('amount_min', t('filters.amountMin'))} />
        <TextField {...text('amount_max', t('filters.amountMax'))} />
        <SelectField
          id="filter-sort"
          label={t('filters.sort')}
          value={draft.sort}
          options={SORTS.map((sort) => ({ value: sort, label: sortLabel(sort) }))}
          onChange={(sort) => setDraft({ ...draft, sort })}
        />
      </Box>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
        <Button type="submit" variant="contained">
          {t('filters.apply')}
        </Button>
        <Button type="button" onClick={() => onApply(NO_FILTERS)}>
          {t('filters.clear')}
        </Button>
      </Box>
    </CollapsibleFilters>
  );
}
