import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';

import type { CreditRequest } from '../api/types';
import { formatDateTime } from '../common/dates';
import { Field, FieldGrid } from '../common/Field';
import { formatMoney } from '../common/money';
import { StatusChip } from '../common/StatusChip';
import { EMPLOYMENT } from './application';

const RISK_LABELS = { low: 'Low', medium: 'Medium', high: 'High' } as const;

/** What was applied for, the automatic analysis, and the status: shared by every request view. */
export function RequestSummary({ request }: { request: CreditRequest }) {
  const employment = EMPLOYMENT.find((e) => e.value === request.employment_status)?.label ?? request.employment_status;
  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }}>
      <Box sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'baseline', gap: 2, mb: 2 }}>
        <Typography component="h2" variant="h5" sx={{ overflowWrap: 'anywhere' }}>
          {formatMoney(request.amount)} over {request.term_months} months
        </Typography>
        <Box>
          <Typography component="span" className="visually-hidden">
            Status:{' '}
          </Typography>
          <StatusChip status={request.status} size="medium" />
        </Box>
      </Box>
      <FieldGrid>
        <Field label="Purpose">{request.purpose}</Field>
        <Field label="Monthly income">{formatMoney(request.monthly_income)}</Field>
        <Field label="Monthly debt payments">{formatMoney(request.monthly_debt)}</Field>
        <Field label="Employment">{employment}</Field>
        <Field label="Credit score">{request.credit_score}</Field>
        <Field label="Late payments (24 months)">{request.delinquencies_24m}</Field>
        <Field label="Bankruptcies (7 years)">{request.bankruptcies_7y}</Field>
        <Field label="Risk tier">{request.risk_tier ? RISK_LABELS[request.risk_tier] : 'Not scored yet'}</Field>
        <Field label="Submitted">{formatDateTime(request.created_at)}</Field>
        <Field label="Decided">{request.decided_at ? formatDateTime(request.decided_at) : 'Not yet'}</Field>
        <Field label="Reference">{request.id.slice(0, 8)}</Field>
      </FieldGrid>
      {request.decision_reasons.length > 0 ? (
        <Box sx={{ mt: 3 }}>
          <Typography component="h3" variant="h6">
            Reasons for the automatic decision
          </Typography>
          <Box component="ul" sx={{ pl: 3, mb: 0 }}>
            {request.decision_reasons.map((reason) => (
              <li key={reason.code}>
                <Typography>
                  {reason.message}{' '}
                  <Typography component="span" variant="body2" color="text.secondary">
                    ({reason.code})
                  </Typography>
                </Typography>
              </li>
            ))}
          </Box>
        </Box>
      ) : null}
    </Paper>
  );
}
