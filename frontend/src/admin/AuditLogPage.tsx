import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';

import * as api from '../api/endpoints';
import type { AuditEntry, AuditQuery } from '../api/types';
import { DataTable, hiddenBelow } from '../common/DataTable';
import { endOfDay, formatDateTime, isDay, startOfDay } from '../common/dates';
import { EmptyState, LoadMoreButton, PagedListView } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { usePagedList } from '../common/usePagedList';

const KEYS = ['action', 'entity_type', 'entity_id', 'actor', 'at_from', 'at_to'] as const;
type Key = (typeof KEYS)[number];
type AuditFilters = Record<Key, string>;
const ACTOR_MAX = 64;

export function auditErrors(filters: AuditFilters): Partial<AuditFilters> {
  const errors: Partial<AuditFilters> = {};
  if (filters.actor.trim().length > ACTOR_MAX) errors.actor = `Use at most ${ACTOR_MAX} characters.`;
  for (const key of ['at_from', 'at_to'] as const) {
    if (filters[key] && !isDay(filters[key])) errors[key] = 'Enter a date as YYYY-MM-DD.';
  }
  if (!errors.at_from && !errors.at_to && filters.at_from && filters.at_to && filters.at_from > filters.at_to) {
    errors.at_to = 'The end date must not be before the start date.';
  }
  return errors;
}

export function toAuditQuery(filters: AuditFilters): AuditQuery {
  const query: AuditQuery = { limit: 50 };
  const errors = auditErrors(filters);
  for (const key of ['action', 'entity_type', 'entity_id', 'actor'] as const) {
    if (filters[key].trim() && !errors[key]) query[key] = filters[key].trim();
  }
  if (filters.at_from && !errors.at_from) query.at_from = startOfDay(filters.at_from);
  if (filters.at_to && !errors.at_to) query.at_to = endOfDay(filters.at_to);
  return query;
}

function describe(entry: AuditEntry): string {
  const parts = [entry.before && `before ${JSON.stringify(entry.before)}`, entry.after && `after ${JSON.stringify(entry.after)}`, entry.details && JSON.stringify(entry.details)];
  return parts.filter(Boolean).join('; ');
}

/** Who did what, when: newest first, filtered from the URL. */
export function AuditLogPage() {
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const filters = useMemo(() => {
    const from = new URLSearchParams(search);
    return Object.fromEntries(KEYS.map((k) => [k, from.get(k) ?? ''])) as AuditFilters;
  }, [search]);
  const [draft, setDraft] = useState(filters);
  const [errors, setErrors] = useState<Partial<AuditFilters>>({});
  useEffect(() => setDraft(filters), [filters]);
  const list = usePagedList(
    (cursor, signal) => api.listAudit({ ...toAuditQuery(filters), ...(cursor ? { cursor } : {}) }, { signal }),
    [search],
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = auditErrors(draft);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const next = new URLSearchParams();
    for (const key of KEYS) if (draft[key].trim()) next.set(key, draft[key].trim());
    setParams(next);
  }

  const field = (key: Key, label: string, extra: object = {}) => ({
    id: `audit-${key}`,
    name: key,
    label,
    size: 'small' as const,
    value: draft[key],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value }),
    error: Boolean(errors[key]),
    helperText: errors[key] ?? ' ',
    ...extra,
  });
  const dateSlot = { type: 'date', slotProps: { inputLabel: { shrink: true } } };

  return (
    <>
      <PageHeader title="Audit log" />
      <Paper component="form" role="search" aria-label="Filter the audit log" variant="outlined" onSubmit={submit} sx={{ p: 2, mb: 2 }}>
        <Box sx={{ display: 'grid', gap: 1.5, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr', md: 'repeat(3, 1fr)' } }}>
          <TextField {...field('action', 'Action', { placeholder: 'stage.approved' })} />
          <TextField {...field('entity_type', 'Entity type', { placeholder: 'credit_request' })} />
          <TextField {...field('entity_id', 'Entity id')} />
          <TextField {...field('actor', 'Actor', { placeholder: 'username, anonymous or system:escalate' })} />
          <TextField {...field('at_from', 'From (UTC)', dateSlot)} />
          <TextField {...field('at_to', 'To (UTC)', dateSlot)} />
        </Box>
        <Box sx={{ display: 'flex', gap: 1 }}>
          <Button type="submit" variant="contained">
            Apply filters
          </Button>
          <Button type="button" onClick={() => setParams(new URLSearchParams())}>
            Clear
          </Button>
        </Box>
      </Paper>
      <PagedListView
        list={list}
        errorTitle="The audit log could not be loaded"
        loadingLabel="Loading the audit log…"
        empty={<EmptyState title="No audit entries match these filters." />}
      >
        <DataTable label="Audit entries" columns={['When', 'Actor', 'Action', 'Entity', { label: 'Change', hideBelow: 'md' }]}>
          {list.items.map((entry) => (
            <TableRow key={entry.id}>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(entry.at)}</TableCell>
              <TableCell sx={{ overflowWrap: 'anywhere' }}>{entry.actor}</TableCell>
              <TableCell>{entry.action}</TableCell>
              <TableCell sx={{ overflowWrap: 'anywhere' }}>
                {entry.entity_type}
                {entry.entity_id ? (
                  <Typography variant="body2" color="text.secondary" component="span" sx={{ display: 'block' }}>
                    {entry.entity_id}
                  </Typography>
                ) : null}
              </TableCell>
              <TableCell sx={{ ...hiddenBelow('md'), fontFamily: 'monospace', fontSize: 12, overflowWrap: 'anywhere', maxWidth: 420 }}>
                {describe(entry)}
              </TableCell>
            </TableRow>
          ))}
        </DataTable>
        <LoadMoreButton list={list} sx={{ mt: 2 }}>
          Load older entries
        </LoadMoreButton>
      </PagedListView>
    </>
  );
}
