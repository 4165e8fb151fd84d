import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { CollapsibleFilters } from '../common/CollapsibleFilters';
import { dayError, isDay } from '../common/dates';
import { DayField } from '../common/DayField';
import { SelectField, StatusSelect } from '../common/SelectField';
import { i18n } from '../i18n';
import { formatDayInput, parseDayInput } from '../i18n/format';
import { AMOUNT_BANDS, bandLabel, type DashboardFilters, DEFAULT_DAYS } from './drilldown';

type Errors = Partial<Record<'from' | 'to', string>>;

function validate(filters: DashboardFilters): Errors {
  const errors: Errors = {};
  if (!isDay(filters.from)) errors.from = dayError();
  if (!isDay(filters.to)) errors.to = dayError();
  if (!errors.from && !errors.to && filters.from > filters.to) errors.to = i18n.t('validation.endBeforeStart');
  return errors;
}

export function DashboardFiltersForm({ value, onApply }: { value: DashboardFilters; onApply: (filters: DashboardFilters) => void }) {
  const { t } = useTranslation();
  const show = (filters: DashboardFilters) => ({ ...filters, from: formatDayInput(filters.from), to: formatDayInput(filters.to) });
  const [draft, setDraft] = useState(() => show(value));
  const [errors, setErrors] = useState<Errors>({});
  useEffect(() => setDraft(show(value)), [value]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const filters = { ...draft, from: parseDayInput(draft.from) ?? draft.from, to: parseDayInput(draft.to) ?? draft.to };
    const found = validate(filters);
    setErrors(found);
    if (Object.keys(found).length === 0) onApply(filters);
  }

  // The period always applies; the status and band narrow it further.
  const active = (value.status.length > 0 ? 1 : 0) + (value.band !== 'any' ? 1 : 0);
  return (
    <CollapsibleFilters label={t('dashboard.filtersLabel', { days: DEFAULT_DAYS })} active={active} onSubmit={submit}>
      <Box sx={{ display: 'grid', gap: 1.5, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr', md: 'repeat(4, 1fr)' } }}>
        {(['from', 'to'] as const).map((key) => (
          <DayField
            key={key}
            id={`dashboard-${key}`}
            name={key}
            label={key === 'from' ? t('dashboard.from') : t('dashboard.to')}
            value={draft[key]}
            error={errors[key]}
            onChange={(next) => setDraft({ ...draft, [key]: next })}
          />
        ))}
        <StatusSelect id="dashboard-status" value={draft.status} onChange={(status) => setDraft({ ...draft, status })} />
        <SelectField
          id="dashboard-band"
          label={t('dashboard.band')}
          value={draft.band}
          options={AMOUNT_BANDS.map((b) => ({ value: b.value, label: bandLabel(b.value) }))}
          onChange={(band) => setDraft({ ...draft, band })}
        />
      </Box>
      <Button type="submit" variant="contained">
        {t('filters.apply')}
      </Button>
    </CollapsibleFilters>
  );
}
