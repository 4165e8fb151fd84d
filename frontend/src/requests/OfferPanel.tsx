import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import * as api from '../api/endpoints';
import { type ApiError, toApiError } from '../api/errors';
import type { CreditRequestDetail, Offer } from '../api/types';
import { SubmitButton } from '../common/SubmitButton';
import { i18n } from '../i18n';
import { formatDateTime, formatMoney } from '../i18n/format';

type Answer = 'accept' | 'decline';

/** How an answered or closed offer ended, in words. */
function outcomeText(offer: Offer): string | null {
  if (offer.outcome === 'accepted') return i18n.t('offer.accepted', { when: formatDateTime(offer.responded_at ?? '') });
  if (offer.outcome === 'declined') return i18n.t('offer.declined', { when: formatDateTime(offer.responded_at ?? '') });
  if (offer.outcome === 'lapsed') return i18n.t('offer.lapsed', { when: formatDateTime(offer.expires_at) });
  return null;
}

/**
 * A counteroffer beside the terms asked for, with both installments, the approver's reason and
 * the principal reasons. The applicant (`answerable`) accepts or declines it, after confirming.
 */
export function OfferPanel({
  request,
  answerable,
  onAnswered,
  now = () => new Date(),
}: {
  request: CreditRequestDetail;
  answerable: boolean;
  onAnswered: (updated: CreditRequestDetail) => void;
  now?: () => Date;
}) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState<Answer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const offer = request.offer;
  if (!offer) return null;

  const expired = offer.outcome === null && new Date(offer.expires_at) <= now();
  const open = answerable && offer.outcome === null && !expired && request.status === 'offer_made';
  const ended = outcomeText(offer);

  async function answer(choice: Answer) {
    setBusy(true);
    setError(undefined);
    try {
      onAnswered(await api.answerOffer(request.id, choice));
      setConfirming(null);
    } catch (reason) {
      setError(toApiError(reason));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }} aria-labelledby="offer-title" component="section" data-testid="offer-panel">
      <Typography id="offer-title" component="h2" variant="h6" sx={{ mb: 1 }}>
        {t('offer.heading')}
      </Typography>
      {ended ? (
        <Alert severity={offer.outcome === 'accepted' ? 'success' : 'info'} sx={{ mb: 2 }} data-testid="offer-outcome">
          {ended}
        </Alert>
      ) : expired ? (
        <Alert severity="info" sx={{ mb: 2 }}>
          {t('offer.expired', { when: formatDateTime(offer.expires_at) })}
        </Alert>
      ) : (
        <Typography sx={{ mb: 2 }}>
          {answerable ? t('offer.intro', { until: formatDateTime(offer.expires_at) }) : t('offer.staffOpen', { until: formatDateTime(offer.expires_at) })}
        </Typography>
      )}
      <Table size="small" sx={{ mb: 2, maxWidth: 560 }}>
        <TableHead>
          <TableRow>
            <TableCell />
            <TableCell component="th" scope="col">
              {t('offer.asked')}
            </TableCell>
            <TableCell component="th" scope="col">
              {t('offer.offered')}
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          <TableRow>
            <TableCell component="th" scope="row">
              {t('offer.amount')}
            </TableCell>
            <TableCell>{formatMoney(offer.requested_amount)}</TableCell>
            <TableCell data-testid="offer-amount">{formatMoney(offer.amount)}</TableCell>
          </TableRow>
          <TableRow>
            <TableCell component="th" scope="row">
              {t('offer.term')}
            </TableCell>
            <TableCell>{t('offer.months', { count: offer.requested_term_months })}</TableCell>
            <TableCell data-testid="offer-term">{t('offer.months', { count: offer.term_months })}</TableCell>
          </TableRow>
          <TableRow>
            <TableCell component="th" scope="row">
              {t('offer.installment')}
            </TableCell>
            <TableCell>{formatMoney(offer.requested_installment)}</TableCell>
            <TableCell data-testid="offer-installment">{formatMoney(offer.installment)}</TableCell>
          </TableRow>
        </TableBody>
      </Table>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        {t('offer.rate', { rate: (Number(offer.annual_rate) * 100).toFixed(2) })}
      </Typography>
      <Typography component="h3" variant="subtitle1">
        {t('offer.why')}
      </Typography>
      <Typography sx={{ mb: 2, whiteSpace: 'pre-line' }}>{offer.reason}</Typography>
      <Typography component="h3" variant="subtitle1">
        {t('offer.reasons')}
      </Typography>
      <Box component="ul" sx={{ pl: 3 }}>
        {offer.reason_codes.map((reason) => (
          <li key={reason.code}>
            <Typography>{reason.message}</Typography>
          </li>
        ))}
      </Box>
      {open ? (
        <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap' }}>
          <Button variant="contained" color="success" onClick={() => setConfirming('accept')}>
            {t('offer.accept')}
          </Button>
          <Button variant="outlined" color="error" onClick={() => setConfirming('decline')}>
            {t('offer.decline')}
          </Button>
        </Box>
      ) : null}
      <Dialog open={confirming !== null} onClose={() => setConfirming(null)} aria-labelledby="offer-confirm-title">
        <DialogTitle id="offer-confirm-title">{confirming === 'decline' ? t('offer.declineTitle') : t('offer.acceptTitle')}</DialogTitle>
        <DialogContent>
          <DialogContentText>
            {confirming === 'decline'
              ? t('offer.declineBody')
              : t('offer.acceptBody', { amount: formatMoney(offer.amount), count: offer.term_months, installment: formatMoney(offer.installment) })}
          </DialogContentText>
          {error ? (
            <Alert severity="error" sx={{ mt: 2 }}>
              {error.message}
            </Alert>
          ) : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(null)}>{t('offer.keep')}</Button>
          <SubmitButton
            type="button"
            color={confirming === 'decline' ? 'error' : 'success'}
            busy={busy}
            busyLabel={confirming === 'decline' ? t('offer.declining') : t('offer.accepting')}
            onClick={() => void answer(confirming ?? 'accept')}
          >
            {confirming === 'decline' ? t('offer.decline') : t('offer.accept')}
          </SubmitButton>
        </DialogActions>
      </Dialog>
    </Paper>
  );
}
