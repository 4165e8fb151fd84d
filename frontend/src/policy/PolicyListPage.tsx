import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';

import * as api from '../api/endpoints';
import { toApiError } from '../api/errors';
import { DataTable } from '../common/DataTable';
import { FormError, LoadMoreButton, PagedListView } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { SubmitButton } from '../common/SubmitButton';
import { usePagedList } from '../common/usePagedList';
import { formatDateTime } from '../i18n/format';

/** The credit policy's versions, newest first: who drafted, proposed, approved and activated each. */
export function PolicyListPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const list = usePagedList((cursor, signal) => api.listPolicies(cursor, { signal }), []);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string>();
  const who = (name: string | null, when: string | null) => (name && when ? `${name}, ${formatDateTime(when)}` : '—');

  function createDraft() {
    // Busy until the new draft opens: each press makes a policy version.
    setCreating(true);
    setError(undefined);
    void api.createPolicy().then(
      (draft) => navigate(`/policies/${draft.id}`),
      (caught: unknown) => {
        setError(toApiError(caught).message);
        setCreating(false);
      },
    );
  }

  return (
    <>
      <PageHeader
        title={t('policy.title')}
        actions={
          <SubmitButton type="button" busy={creating} busyLabel={t('policy.creating')} onClick={createDraft}>
            {t('policy.newDraft')}
          </SubmitButton>
        }
      />
      <FormError message={error} />
      <PagedListView list={list} errorTitle={t('policy.loadError')} loadingLabel={t('policy.loading')} empty={t('policy.none')}>
        <DataTable
            label={t('policy.history')}
            columns={[t('policy.version'), t('policy.statusLabel'), t('policy.reason'), t('policy.proposedColumn'), t('policy.approvedColumn'), t('policy.activatedColumn')]}
          >
            {list.items.map((item) => (
              <TableRow key={item.id} data-testid="policy-row">
                <TableCell>
                  <RouterLink to={`/policies/${item.id}`}>{t('policy.versionTitle', { version: item.version })}</RouterLink>
                </TableCell>
                <TableCell>{t(`policy.status.${item.status}`)}</TableCell>
                <TableCell>{item.reason ?? '—'}</TableCell>
                <TableCell>{who(item.proposed_by, item.proposed_at)}</TableCell>
                <TableCell>{who(item.approved_by, item.approved_at)}</TableCell>
                <TableCell>{who(item.activated_by, item.activated_at)}</TableCell>
              </TableRow>
            ))}
          </DataTable>
      </PagedListView>
      <LoadMoreButton list={list}>{t('common.loadMore')}</LoadMoreButton>
    </>
  );
}
