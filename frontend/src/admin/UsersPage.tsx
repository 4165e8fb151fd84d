import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Switch from '@mui/material/Switch';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type FormEvent, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';

import * as api from '../api/endpoints';
import { toApiError } from '../api/errors';
import type { Role, User, UserChange } from '../api/types';
import { useUser } from '../auth/AuthProvider';
import { ROLE_LABELS } from '../auth/roles';
import { DataTable, hiddenBelow } from '../common/DataTable';
import { formatDateTime } from '../common/dates';
import { EmptyState, LoadMoreButton, PagedListView } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { usePagedList } from '../common/usePagedList';

const ROLES = Object.keys(ROLE_LABELS) as Role[];

/**
 * Users and their roles. Administrators change others' role and status, never their own.
 * The search (part of a username or email) lives in the URL, like the other lists' filters.
 */
export function UsersPage() {
  const me = useUser();
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const [draft, setDraft] = useState(search);
  useEffect(() => setDraft(search), [search]);
  const list = usePagedList((cursor, signal) => api.listUsers(cursor, search, { signal }), [search]);
  const [changed, setChanged] = useState<Record<string, User>>({});
  const [saving, setSaving] = useState<string | null>(null);
  const [message, setMessage] = useState<{ severity: 'success' | 'error'; text: string } | null>(null);

  async function change(user: User, update: UserChange) {
    setSaving(user.id);
    setMessage(null);
    try {
      const saved = await api.updateUser(user.id, update);
      setChanged((c) => ({ ...c, [saved.id]: saved }));
      setMessage({
        severity: 'success',
        text: `${saved.username} is now ${ROLE_LABELS[saved.role]}, ${saved.is_active ? 'active' : 'deactivated'}.`,
      });
    } catch (reason) {
      setMessage({ severity: 'error', text: `${user.username}: ${toApiError(reason).message}` });
    } finally {
      setSaving(null);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setParams(draft.trim() ? { q: draft.trim() } : {});
  }

  return (
    <>
      <PageHeader title="Users and roles" />
      <Paper component="form" role="search" aria-label="Search users" variant="outlined" onSubmit={submit} sx={{ p: 2, mb: 2 }}>
        <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}>
          <TextField
            id="user-search"
            name="q"
            type="search"
            size="small"
            label="Username or email"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            slotProps={{ htmlInput: { maxLength: 254 } }}
            sx={{ flex: '1 1 240px' }}
          />
          <Button type="submit" variant="contained">
            Search
          </Button>
          {search ? (
            <Button type="button" onClick={() => setParams({})}>
              Clear
            </Button>
          ) : null}
        </Box>
      </Paper>
      <Box role="status" aria-live="polite">
        {message ? (
          <Alert severity={message.severity} sx={{ mb: 2 }} onClose={() => setMessage(null)}>
            {message.text}
          </Alert>
        ) : null}
      </Box>
      <PagedListView
        list={list}
        errorTitle="The users could not be loaded"
        loadingLabel="Loading users…"
        empty={<EmptyState title={search ? `No user's username or email contains “${search}”.` : 'No users yet.'} />}
      >
        <DataTable label="Users" columns={['User', 'Role', 'Active', { label: 'Registered', hideBelow: 'md' }]}>
          {list.items.map((listed) => {
            const user = changed[listed.id] ?? listed;
            const self = user.id === me.id;
            const busy = saving === user.id;
            return (
              <TableRow key={user.id} data-username={user.username}>
                <TableCell sx={{ overflowWrap: 'anywhere' }}>
                  <Typography sx={{ fontWeight: 600 }}>
                    {user.username}
                    {self ? ' (you)' : ''}
                  </Typography>
                  <Typography variant="body2" color="text.secondary">
                    {user.full_name} · {user.email}
                  </Typography>
                </TableCell>
                <TableCell sx={{ minWidth: 150 }}>
                  <TextField
                    select
                    size="small"
                    id={`role-${user.id}`}
                    label={`Role of ${user.username}`}
                    value={user.role}
                    disabled={self || busy}
                    onChange={(e) => change(user, { role: e.target.value as Role })}
                    fullWidth
                  >
                    {ROLES.map((role) => (
                      <MenuItem key={role} value={role}>
                        {ROLE_LABELS[role]}
                      </MenuItem>
                    ))}
                  </TextField>
                </TableCell>
                <TableCell>
                  <Box sx={{ display: 'flex', alignItems: 'center' }}>
                    <Switch
                      checked={user.is_active}
                      disabled={self || busy}
                      onChange={(e) => change(user, { is_active: e.target.checked })}
                      slotProps={{ input: { 'aria-label': `${user.username} is active` } }}
                    />
                    <Typography variant="body2">{user.is_active ? 'Active' : 'Inactive'}</Typography>
                    {busy ? <CircularProgress size={16} sx={{ ml: 1 }} aria-label="Saving" /> : null}
                  </Box>
                </TableCell>
                <TableCell sx={{ ...hiddenBelow('md'), whiteSpace: 'nowrap' }}>{formatDateTime(user.created_at)}</TableCell>
              </TableRow>
            );
          })}
        </DataTable>
        <LoadMoreButton list={list} sx={{ mt: 2 }}>
          Load more users
        </LoadMoreButton>
      </PagedListView>
    </>
  );
}
