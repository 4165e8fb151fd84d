import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useId } from 'react';

import type { ScoreResult } from '../api/types';
import { Field, FieldGrid } from '../common/Field';
import { formatMoney } from '../common/money';

// Two decimals at most, trimmed, as the decision reasons show a ratio: a four-place ratio
// ("0.4501") is exactly a two-place percentage, so nothing is rounded ("45.01%", not "45%").
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 2 });

/** The figures the automatic analysis computed, and the bureau's report when the API sends it. */
export function ScoreResultPanel({ result }: { result: ScoreResult | null }) {
  const headingId = useId();
  const bureau = result?.bureau_report ?? null;
  return (
    <Paper component="section" aria-labelledby={headingId} variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }}>
      <Typography component="h2" variant="h6" id={headingId} sx={{ mb: 1 }}>
        Automatic analysis
      </Typography>
      {result === null ? (
        <Typography color="text.secondary">Not scored yet: the figures appear once the automatic analysis has run.</Typography>
      ) : (
        <>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
            The installment is at the policy&apos;s reference rate; debt-to-income counts existing debt payments plus this
            installment.
          </Typography>
          <FieldGrid>
            <Field label="Monthly installment">{formatMoney(result.installment)}</Field>
            <Field label="Debt-to-income">
              {result.debt_to_income === null
                ? 'Not computed: no income declared'
                : percent.format(result.debt_to_income as Intl.StringNumericLiteral)}
            </Field>
          </FieldGrid>
          {bureau ? (
            <>
              <Typography component="h3" variant="subtitle1" sx={{ fontWeight: 700, mt: 3, mb: 1 }}>
                Credit bureau report
              </Typography>
              <FieldGrid>
                <Field label="Bureau credit score">{bureau.credit_score}</Field>
                <Field label="Bureau late payments (24 months)">{bureau.delinquencies_24m}</Field>
                <Field label="Bureau bankruptcies (7 years)">{bureau.bankruptcies_7y}</Field>
              </FieldGrid>
            </>
          ) : null}
        </>
      )}
    </Paper>
  );
}
