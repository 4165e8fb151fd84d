import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import { useTheme } from '@mui/material/styles';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';

import * as api from '../api/endpoints';
import type { AuditEntry, AuditQuery } from '../api/types';
import { CollapsibleFilters } from '../common/CollapsibleFilters';
import { DataTable, hiddenBelow } from '../common/DataTable';
import { dayError, endOfDay, isDay, startOfDay } from '../common/dates';
import { DayField } from '../common/DayField';
import { EmptyState, LoadMoreButton, PagedListView } from '../common/feedback';
import { Field } from '../common/Field';
import { ExportButton } from '../common/ExportButton';
import { PageHeader } from '../common/PageHeader';
import { usePagedList } from '../common/usePagedList';
import { i18n } from '../i18n';
import { formatDateTime, formatDayInput, parseDayInput } from '../i18n/format';
import AUDIT_ACTIONS from './audit-actions.json';
import { AuditChange } from './AuditChange';

const KEYS = ['action', 'entity_type', 'entity_id', 'request_id', 'actor', 'at_from', 'at_to'] as const;
type Key = (typeof KEYS)[number];
type AuditFilters = Record<Key, string>;
const DAY_KEYS = ['at_from', 'at_to'] as const;
const ACTOR_MAX = 64;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every action the backend records (tests/unit/test_frontend_audit_actions.py keeps the list whole). */
export const KNOWN_ACTIONS: readonly string[] = AUDIT_ACTIONS;

/** An audit action in words ("Stage approved"); an action the app does not know shows as recorded. */
export function actionLabel(action: string): string {
  return i18n.exists(`auditActions.${action}`) ? i18n.t(`auditActions.${action}` as 'auditActions.user.updated') : action;
}

export function auditErrors(filters: AuditFilters): Partial<AuditFilters> {
  const errors: Partial<AuditFilters> = {};
  if (filters.actor.trim().length > ACTOR_MAX) errors.actor = i18n.t('validation.tooLong', { max: ACTOR_MAX });
  if (filters.request_id.trim() && !UUID.test(filters.request_id.trim())) errors.request_id = i18n.t('audit.requestIdRule');
  for (const key of DAY_KEYS) {
    if (filters[key] && !isDay(filters[key])) errors[key] = dayError();
  }
  if (!errors.at_from && !errors.at_to && filters.at_from && filters.at_to && filters.at_from > filters.at_to) {
    errors.at_to = i18n.t('validation.endBeforeStart');
  }
  return errors;
}

export function toAuditQuery(filters: AuditFilters): AuditQuery {
  const query: AuditQuery = { limit: 50 };
  const errors = auditErrors(filters);
  for (const key of ['action', 'entity_type', 'entity_id', 'request_id', 'actor'] as const) {
    if (filters[key].trim() && !errors[key]) query[key] = filters[key].trim();
  }
  if (filters.at_from && !errors.at_from) query.at_from = startOfDay(filters.at_from);
  if (filters.at_to && !errors.at_to) query.at_to = endOfDay(filters.at_to);
  return query;
}

function toDraft(filters: AuditFilters): AuditFilters {
  return { ...filters, at_from: formatDayInput(filters.at_from), at_to: formatDayInput(filters.at_to) };
}

function fromDraft(draft: AuditFilters): AuditFilters {
  const filters = { ...draft };
  for (const key of DAY_KEYS) filters[key] = draft[key].trim() ? (parseDayInput(draft[key]) ?? draft[key].trim()) : '';
  return filters;
}

function Entity({ entry }: { entry: AuditEntry }) {
  return (
    <>
      {entry.entity_type}
      {entry.entity_id ? (
        <Typography variant="body2" color="text.secondary" component="span" sx={{ display: 'block', overflowWrap: 'anywhere' }}>
          {entry.entity_id}
        </Typography>
      ) : null}
    </>
  );
}

/** Who did what, when: newest first, filtered from the URL. Changes show as before → after. */
export function AuditLogPage() {
  const { t } = useTranslation();
  const theme = useTheme();
  const phone = useMediaQuery(theme.breakpoints.down('sm'), { noSsr: true });
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const filters = useMemo(() => {
    const from = new URLSearchParams(search);
    return Object.fromEntries(KEYS.map((k) => [k, from.get(k) ?? ''])) as AuditFilters;
  }, [search]);
  const [draft, setDraft] = useState(() => toDraft(filters));
  const [errors, setErrors] = useState<Partial<AuditFilters>>({});
  useEffect(() => {
    setDraft(toDraft(filters));
    setErrors({});
  }, [filters]);
  const list = usePagedList(
    (cursor, signal) => api.listAudit({ ...toAuditQuery(filters), ...(cursor ? { cursor } : {}) }, { signal }),
    [search],
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = fromDraft(draft);
    const found = auditErrors(parsed);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const next = new URLSearchParams();
    for (const key of KEYS) if (parsed[key].trim()) next.set(key, parsed[key].trim());
    setParams(next);
  }

  const field = (key: Exclude<Key, 'at_from' | 'at_to'>, label: string, extra: object = {}) => ({
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
  const day = (key: 'at_from' | 'at_to', label: string) => ({
    id: `audit-${key}`,
    name: key,
    label,
    value: draft[key],
    error: errors[key],
    onChange: (next: string) => setDraft({ ...draft, [key]: next }),
  });
  // An action from a shared link that the list does not know still shows as chosen.
  const actions = draft.action && !KNOWN_ACTIONS.includes(draft.action) ? [...KNOWN_ACTIONS, draft.action] : KNOWN_ACTIONS;
  const active = KEYS.filter((k) => filters[k] !== '').length;

  return (
    <>
      <PageHeader
        title={t('audit.title')}
        actions={
          <ExportButton
            download={() => {
              const { limit: _limit, ...query } = toAuditQuery(filters);
              return api.exportAudit(query);
            }}
          />
        }
      />
      <CollapsibleFilters label={t('audit.filterLabel')} active={active} onSubmit={submit}>
        <Box sx={{ display: 'grid', gap: 1.5, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr', md: 'repeat(3, 1fr)' } }}>
          <TextField select {...field('action', t('audit.action'))} slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}>
            <MenuItem value="">{t('audit.anyAction')}</MenuItem>
            {actions.map((action) => (
              <MenuItem key={action} value={action}>
                {actionLabel(action)}
              </MenuItem>
            ))}
          </TextField>
          <TextField {...field('entity_type', t('audit.entityType'), { placeholder: 'credit_request' })} />
          <TextField {...field('entity_id', t('audit.entityId'))} />
          <TextField {...field('request_id', t('audit.requestId'))} />
          <TextField {...field('actor', t('audit.actor'), { placeholder: t('audit.actorPlaceholder') })} />
          <DayField {...day('at_from', t('audit.from'))} />
          <DayField {...day('at_to', t('audit.to'))} />
        </Box>
        <Box sx={{ display: 'flex', gap: 1 }}>
          <Button type="submit" variant="contained">
            {t('filters.apply')}
          </Button>
          <Button type="button" onClick={() => setParams(new URLSearchParams())}>
            {t('filters.clear')}
          </Button>
        </Box>
      </CollapsibleFilters>
      <PagedListView
        list={list}
        errorTitle={t('audit.loadError')}
        loadingLabel={t('audit.loading')}
        empty={<EmptyState title={t('audit.empty')} />}
      >
        {phone ? (
          <Box component="ul" aria-label={t('audit.tableLabel')} sx={{ listStyle: 'none', p: 0, m: 0, display: 'grid', gap: 1.5 }}>
            {list.items.map((entry) => (
              <Paper component="li" variant="outlined" key={entry.id} data-list-item data-action={entry.action} sx={{ p: 2 }}>
                <Typography sx={{ fontWeight: 700, overflowWrap: 'anywhere' }}>{actionLabel(entry.action)}</Typography>
                <Typography variant="body2" color="text.secondary">
                  {formatDateTime(entry.at)}
                </Typography>
                <Box component="dl" sx={{ display: 'grid', gap: 1, m: 0, mt: 1 }}>
                  <Field label={t('audit.columns.actor')}>{entry.actor}</Field>
                  <Field label={t('audit.columns.entity')}>
                    <Entity entry={entry} />
                  </Field>
                  {entry.before || entry.after || entry.details ? (
                    <Field label={t('audit.columns.change')}>
                      <AuditChange entry={entry} />
                    </Field>
                  ) : null}
                </Box>
              </Paper>
            ))}
          </Box>
        ) : (
          <DataTable
            label={t('audit.tableLabel')}
            columns={[
              t('audit.columns.when'),
              t('audit.columns.actor'),
              t('audit.columns.action'),
              t('audit.columns.entity'),
              { label: t('audit.columns.change'), hideBelow: 'md' },
            ]}
          >
            {list.items.map((entry) => (
              <TableRow key={entry.id} data-list-item data-action={entry.action}>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(entry.at)}</TableCell>
                <TableCell sx={{ overflowWrap: 'anywhere' }}>{entry.actor}</TableCell>
                <TableCell sx={{ minWidth: 120 }}>
                  {actionLabel(entry.action)}
                  <Typography variant="body2" color="text.secondary" component="span" sx={{ display: 'block' }}>
                    {entry.action}
                  </Typography>
                </TableCell>
                <TableCell sx={{ overflowWrap: 'anywhere' }}>
                  <Entity entry={entry} />
                </TableCell>
                <TableCell sx={{ ...hiddenBelow('md'), maxWidth: 420 }}>
                  <AuditChange entry={entry} />
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
        <LoadMoreButton list={list} sx={{ mt: 2 }}>
          {t('audit.loadMore')}
        </LoadMoreButton>
      </PagedListView>
    </>
  );
}
