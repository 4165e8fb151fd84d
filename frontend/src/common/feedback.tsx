// Loading, empty and error states (a form's and a paged list's too), the same on every screen.
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Paper from '@mui/material/Paper';
import type { SxProps, Theme } from '@mui/material/styles';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';

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
  return (
    <Alert
      severity="error"
      sx={{ my: 2 }}
      action={
        onRetry ? (
          <Button color="inherit" size="small" onClick={onRetry}>
            Try again
          </Button>
        ) : undefined
      }
    >
      {title ? <strong>{title}: </strong> : null}
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
 * A paged list's first load: its error (with a retry), progress, or `empty` when it has no
 * items; once it has some, `children` show them, followed by any failure to load more.
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
  if (list.error) return <ErrorState error={list.error} onRetry={list.reload} title={errorTitle} />;
  if (list.loading && list.items.length === 0) return <Loading label={loadingLabel} />;
  if (list.items.length === 0) return empty;
  return (
    <>
      {children}
      {list.loadMoreError ? <Alert severity="error">{list.loadMoreError.message}</Alert> : null}
    </>
  );
}

/** Appends a paged list's next page; shown only while there is one. */
export function LoadMoreButton<T>({ list, children, sx }: { list: PagedList<T>; children: ReactNode; sx?: SxProps<Theme> }) {
  return list.hasMore ? (
    <SubmitButton type="button" sx={sx} variant="outlined" busy={list.loadingMore} busyLabel="Loading more…" onClick={list.loadMore}>
      {children}
    </SubmitButton>
  ) : null;
}
