// Loading, empty and error states (a form's and a paged list's too), the same on every screen.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Paper from '@mui/material/Paper';
import type { SxProps, Theme } from '@mui/material/styles';
import Typography from '@mui/material/Typography';
import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

import type { ApiError } from '../api/errors';
import { SubmitButton } from './SubmitButton';
import type { PagedList } from './usePagedList';

export function Loading({ label }: { label: string }) {
  return (
    <Box role="status" sx={{ display: 'flex', alignItems: 'center', gap: 2, py: 4, justifyContent: 'center' }}>
      <CircularProgress size={28} aria-hidden="true" />
      <Typography>{label}</Typography>
    </Box>
  );
}

export function ErrorState({ error, onRetry, title }: { error: ApiError; onRetry?: () => void; title?: string }) {
  const { t } = useTranslation();
  return (
    <Alert
      severity="error"
      sx={{ my: 2 }}
      action={
        onRetry ? (
          <Button color="inherit" size="small" onClick={onRetry}>
            {t('common.tryAgain')}
          </Button>
        ) : undefined
      }
    >
      {title ? <strong>{t('common.errorTitle', { title })} </strong> : null}
      {error.message}
    </Alert>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Paper variant="outlined" sx={{ p: 4, my: 2, textAlign: 'center' }}>
      <Typography component="p" variant="h6" gutterBottom>
        {title}
      </Typography>
      {children}
    </Paper>
  );
}

/** A message about the whole form (not one field), announced as soon as it shows. */
export function FormError({ message }: { message: string | undefined }) {
  return message ? (
    <Alert severity="error" role="alert" sx={{ mb: 2 }}>
      {message}
    </Alert>
  ) : null;
}

/**
 * Move keyboard focus to the first item "load more" appended (its first link or button, else
 * the row itself), so keyboard and screen reader users carry on reading where the new items
 * start instead of being dropped to the top of the page.
 */
export function focusAppended(container: HTMLElement | null, index: number): void {
  const item = container?.querySelectorAll<HTMLElement>('[data-list-item]')[index];
  if (!item) return;
  const target = item.querySelector<HTMLElement>('a[href], button:not([disabled])') ?? item;
  if (target === item && !item.hasAttribute('tabindex')) item.tabIndex = -1;
  target.focus();
}

/**
 * A paged list's first load: its error (with a retry), progress, or `empty` when it has no
 * items; once it has some, `children` show them, followed by any failure to load more. Items
 * carry `data-list-item`, so focus follows "load more" to the first new one.
 */
export function PagedListView<T>({
  list,
  errorTitle,
  loadingLabel,
  empty,
  children,
}: {
  list: PagedList<T>;
  errorTitle: string;
  loadingLabel: string;
  empty: ReactNode;
  children: ReactNode;
}) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (list.appendedAt !== null) focusAppended(container.current, list.appendedAt);
  }, [list.appendedAt]);

  if (list.error) return <ErrorState error={list.error} onRetry={list.reload} title={errorTitle} />;
  if (list.loading && list.items.length === 0) return <Loading label={loadingLabel} />;
  if (list.items.length === 0) return empty;
  return (
    <div ref={container}>
      {children}
      {list.loadMoreError ? <Alert severity="error">{list.loadMoreError.message}</Alert> : null}
    </div>
  );
}

/** Appends a paged list's next page; shown only while there is one. */
export function LoadMoreButton<T>({ list, children, sx }: { list: PagedList<T>; children: ReactNode; sx?: SxProps<Theme> }) {
  const { t } = useTranslation();
  return list.hasMore ? (
    <SubmitButton type="button" sx={sx} variant="outlined" busy={list.loadingMore} busyLabel={t('common.loadingMore')} onClick={list.loadMore}>
      {children}
    </SubmitButton>
  ) : null;
}
