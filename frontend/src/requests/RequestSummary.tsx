import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useTranslation } from 'react-i18next';

import type { CreditRequest } from '../api/types';
import { Field, FieldGrid } from '../common/Field';
import { StatusChip } from '../common/StatusChip';
import { formatDateTime, formatMoney } from '../i18n/format';
import { employmentLabel } from './application';
import type { Audience } from './audience';

/**
 * What was applied for, and the status: shared by every request view. Applicants see the
 * reasons of an automatic decline in plain words only; reason codes are internal (staff only),
 * and so is the risk tier unless the policy shows it (the API then sends it to the applicant).
 */
export function RequestSummary({
  request,
  audience,
  policyVersion,
}: {
  request: CreditRequest;
  audience: Audience;
  /** The credit policy version that scored it (the request page shows it to staff). */
  policyVersion?: number | null;
}) {
  const { t } = useTranslation();
  const staff = audience === 'staff';
  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }}>
      <Box sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'baseline', gap: 2, mb: 2 }}>
        <Typography component="h2" variant="h5" sx={{ overflowWrap: 'anywhere' }}>
          {t('summary.headline', { amount: formatMoney(request.amount), count: request.term_months })}
        </Typography>
        <Box>
          <Typography component="span" className="visually-hidden">
            {t('summary.status')}{' '}
          </Typography>
          <StatusChip status={request.status} size="medium" />
        </Box>
      </Box>
      <FieldGrid>
        <Field label={t('summary.purpose')}>{request.purpose}</Field>
        <Field label={t('summary.monthlyIncome')}>{formatMoney(request.monthly_income)}</Field>
        <Field label={t('summary.monthlyDebt')}>{formatMoney(request.monthly_debt)}</Field>
        <Field label={t('summary.employment')}>{employmentLabel(request.employment_status)}</Field>
        <Field label={t('summary.creditScore')}>{request.credit_score}</Field>
        <Field label={t('summary.delinquencies')}>{request.delinquencies_24m}</Field>
        <Field label={t('summary.bankruptcies')}>{request.bankruptcies_7y}</Field>
        {staff ? (
          <Field label={t('summary.riskTier')}>{request.risk_tier
              ? t(`risk.${request.risk_tier}`)
              : request.status === 'submitted'
                ? t('summary.notScored')
                : t('summary.neverScored')}</Field>
        ) : request.risk_tier ? (
          <Field label={t('summary.riskTier')}>{t(`risk.${request.risk_tier}`)}</Field>
        ) : null}
        {staff && policyVersion !== undefined ? (
          <Field label={t('summary.policyVersion')}>
            {policyVersion === null ? t('summary.notRecorded') : t('summary.version', { version: policyVersion })}
          </Field>
        ) : null}
        <Field label={t('summary.submitted')}>{formatDateTime(request.created_at)}</Field>
        <Field label={t('summary.decided')}>{request.decided_at ? formatDateTime(request.decided_at) : t('summary.notYet')}</Field>
        <Field label={t('summary.reference')}>{request.id.slice(0, 8)}</Field>
      </FieldGrid>
      {request.decision_reasons.length > 0 ? (
        <Box sx={{ mt: 3 }}>
          <Typography component="h3" variant="h6">
            {t('summary.reasons')}
          </Typography>
          <Box component="ul" sx={{ pl: 3, mb: 0 }}>
            {request.decision_reasons.map((reason) => (
              <li key={reason.code} data-reason={staff ? reason.code : undefined}>
                {/* The policy's sentence: people read words, the code stays in data-reason. */}
                <Typography>{reason.message}</Typography>
              </li>
            ))}
          </Box>
        </Box>
      ) : null}
    </Paper>
  );
}
