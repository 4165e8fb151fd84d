import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import { useTheme } from '@mui/material/styles';
import Switch from '@mui/material/Switch';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';

import * as api from '../api/endpoints';
import { toApiError } from '../api/errors';
import type { Role, User } from '../api/types';
import { useUser } from '../auth/AuthProvider';
import { roleLabel } from '../auth/roles';
import { DataTable, hiddenBelow } from '../common/DataTable';
import { EmptyState, LoadMoreButton, PagedListView } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { SelectField } from '../common/SelectField';
import { usePagedList } from '../common/usePagedList';
import { formatDateTime } from '../i18n/format';
import { ConfirmUserChange, type PendingChange } from './ConfirmUserChange';
import { UserAbsenceButton } from './UserAbsenceButton';

const ROLES: Role[] = ['applicant', 'analyst', 'manager', 'director', 'admin', 'risk_officer'];

/**
 * Users and their roles. Administrators change others' role and status, never their own, and
 * confirm each change in a dialog first. The search (part of a username or email) lives in the
 * URL, like the other lists' filters. On phones each user is a card: a table would squeeze the
 * names to a few letters.
 */
export function UsersPage() {
  const { t } = useTranslation();
  const theme = useTheme();
  const phone = useMediaQuery(theme.breakpoints.down('sm'), { noSsr: true });
  const me = useUser();
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const roleFilter = ROLES.find((r) => r === params.get('role')) ?? '';
  const [draft, setDraft] = useState(search);
  useEffect(() => setDraft(search), [search]);
  const list = usePagedList((cursor, signal) => api.listUsers(cursor, { search, role: roleFilter }, { signal }), [search, roleFilter]);
  const [changed, setChanged] = useState<Record<string, User>>({});
  const [pending, setPending] = useState<PendingChange | null>(null);
  // How many of the person's stages the change would move, asked for when the dialog opens.
  const [moving, setMoving] = useState<number | null>(null);
  useEffect(() => {
    setMoving(null);
    if (pending === null) return;
    const controller = new AbortController();
    api
      .userChangePreview(pending.user.id, pending.change, { signal: controller.signal })
      .then((preview) => setMoving(preview.stages_to_move))
      .catch(() => undefined); // without the count the dialog still says what happens
    return () => controller.abort();
  }, [pending]);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  function ask(change: PendingChange) {
    setSaveError(null);
    setPending(change);
  }

  async function confirm() {
    if (!pending) return;
    setSaving(true);
    setSaveError(null);
    try {
      const saved = await api.updateUser(pending.user.id, pending.change);
      setChanged((c) => ({ ...c, [saved.id]: saved }));
      setPending(null);
      setMessage(
        t('users.saved', {
          user: saved.username,
          role: roleLabel(saved.role),
          status: saved.is_active ? t('users.activeWord') : t('users.inactiveWord'),
        }),
      );
    } catch (reason) {
      setSaveError(toApiError(reason).message);
    } finally {
      setSaving(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    filterBy(draft, roleFilter);
  }

  function filterBy(q: string, role: Role | '') {
    setParams({ ...(q.trim() ? { q: q.trim() } : {}), ...(role ? { role } : {}) });
  }

  const roleSelect = (user: User, self: boolean) => (
    <TextField
      select
      size="small"
      id={`role-${user.id}`}
      label={t('users.roleOf', { user: user.username })}
      value={user.role}
      disabled={self}
      onChange={(e) => {
        const role = e.target.value as Role;
        if (role !== user.role) ask({ user, change: { role } });
      }}
      fullWidth
    >
      {ROLES.map((role) => (
        <MenuItem key={role} value={role}>
          {roleLabel(role)}
        </MenuItem>
      ))}
    </TextField>
  );
  const activeSwitch = (user: User, self: boolean) => (
    <Box sx={{ display: 'flex', alignItems: 'center' }}>
      <Switch
        checked={user.is_active}
        disabled={self}
        onChange={(e) => ask({ user, change: { is_active: e.target.checked } })}
        slotProps={{ input: { 'aria-label': t('users.isActive', { user: user.username }) } }}
      />
      <Typography variant="body2">{user.is_active ? t('users.active') : t('users.inactive')}</Typography>
    </Box>
  );
  const who = (user: User, self: boolean) => (
    <>
      <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>
        {user.username}
        {self ? ` ${t('users.you')}` : ''}
      </Typography>
      <Typography variant="body2" color="text.secondary">
        {user.full_name}
      </Typography>
      {/* Emails break at their @ and dots first, not letter by letter. */}
      <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: 'break-word', wordBreak: 'normal' }}>
        {user.email.replace(/([@.])/g, '$1\u200b')}
      </Typography>
      {self ? null : <UserAbsenceButton user={user} />}
    </>
  );

  return (
    <>
      <PageHeader title={t('users.title')} />
      <Paper component="form" role="search" aria-label={t('users.searchLabel')} variant="outlined" onSubmit={submit} sx={{ p: 2, mb: 2 }}>
        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}>
          <TextField
            id="user-search"
            name="q"
            type="search"
            size="small"
            label={t('users.search')}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            slotProps={{ htmlInput: { maxLength: 254 } }}
            sx={{ flex: '1 1 240px' }}
          />
          {/* A flex item that grows: at 390 px it takes its own line at full width (a select
              sized by its content shrank to ~45 px there). */}
          <Box sx={{ flex: '1 1 160px', minWidth: 160, mb: -2.75 }}>
            <SelectField
              fullWidth
              id="user-role-filter"
              label={t('users.roleFilter')}
              value={roleFilter}
              options={[{ value: '' as const, label: t('users.allRoles') }, ...ROLES.map((role) => ({ value: role, label: roleLabel(role) }))]}
              onChange={(role) => filterBy(search, role)}
            />
          </Box>
          <Button type="submit" variant="contained">
            {t('users.searchButton')}
          </Button>
          {search || roleFilter ? (
            <Button type="button" onClick={() => setParams({})}>
              {t('filters.clear')}
            </Button>
          ) : null}
        </Box>
      </Paper>
      <Box role="status" aria-live="polite">
        {message ? (
          <Alert severity="success" sx={{ mb: 2 }} onClose={() => setMessage(null)} data-testid="user-change-result">
            {message}
          </Alert>
        ) : null}
      </Box>
      <PagedListView
        list={list}
        errorTitle={t('users.loadError')}
        loadingLabel={t('users.loading')}
        empty={<EmptyState title={search ? t('users.noMatch', { search }) : t('users.empty')} />}
      >
        {phone ? (
          <Box component="ul" aria-label={t('users.tableLabel')} sx={{ listStyle: 'none', p: 0, m: 0, display: 'grid', gap: 1.5 }}>
            {list.items.map((listed) => {
              const user = changed[listed.id] ?? listed;
              const self = user.id === me.id;
              return (
                <Paper component="li" variant="outlined" key={user.id} data-list-item data-username={user.username} sx={{ p: 2 }}>
                  {who(user, self)}
                  <Box sx={{ display: 'grid', gap: 1, mt: 1.5 }}>
                    {roleSelect(user, self)}
                    {activeSwitch(user, self)}
                  </Box>
                </Paper>
              );
            })}
          </Box>
        ) : (
          <DataTable
            label={t('users.tableLabel')}
            columns={[
              t('users.columns.user'),
              t('users.columns.role'),
              t('users.columns.active'),
              { label: t('users.columns.registered'), hideBelow: 'md' },
            ]}
          >
            {list.items.map((listed) => {
              const user = changed[listed.id] ?? listed;
              const self = user.id === me.id;
              return (
                <TableRow key={user.id} data-list-item data-username={user.username}>
                  <TableCell sx={{ minWidth: 180 }}>{who(user, self)}</TableCell>
                  <TableCell sx={{ minWidth: 150 }}>{roleSelect(user, self)}</TableCell>
                  <TableCell>{activeSwitch(user, self)}</TableCell>
                  <TableCell sx={{ ...hiddenBelow('md'), whiteSpace: 'nowrap' }}>{formatDateTime(user.created_at)}</TableCell>
                </TableRow>
              );
            })}
          </DataTable>
        )}
        <LoadMoreButton list={list} sx={{ mt: 2 }}>
          {t('users.loadMore')}
        </LoadMoreButton>
      </PagedListView>
      <ConfirmUserChange
        pending={pending}
        pendingStages={moving}
        busy={saving}
        error={saveError}
        onConfirm={confirm}
        onCancel={() => setPending(null)}
      />
    </>
  );
}
