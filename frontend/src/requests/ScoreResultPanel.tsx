import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';

import type { ScoreResult } from '../api/types';
import { Field, FieldGrid } from '../common/Field';
import { formatMoney, formatPercent } from '../i18n/format';

/** The figures the automatic analysis computed, and the bureau's report when the API sends it. */
export function ScoreResultPanel({ result }: { result: ScoreResult | null }) {
  const { t } = useTranslation();
  const headingId = useId();
  const bureau = result?.bureau_report ?? null;
  return (
    <Paper component="section" aria-labelledby={headingId} variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }}>
      <Typography component="h2" variant="h6" id={headingId} sx={{ mb: 1 }}>
        {t('analysis.heading')}
      </Typography>
      {result === null ? (
        <Typography color="text.secondary">{t('analysis.notScored')}</Typography>
      ) : (
        <>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
            {t('analysis.explanation')}
          </Typography>
          <FieldGrid>
            <Field label={t('analysis.installment')}>{formatMoney(result.installment)}</Field>
            <Field label={t('analysis.dti')}>
              {result.debt_to_income === null ? t('analysis.noIncome') : formatPercent(result.debt_to_income)}
            </Field>
          </FieldGrid>
          {bureau ? (
            <>
              <Typography component="h3" variant="subtitle1" sx={{ fontWeight: 700, mt: 3, mb: 1 }}>
                {t('analysis.bureau')}
              </Typography>
              <FieldGrid>
                <Field label={t('analysis.bureauScore')}>{bureau.credit_score}</Field>
                <Field label={t('analysis.bureauDelinquencies')}>{bureau.delinquencies_24m}</Field>
                <Field label={t('analysis.bureauBankruptcies')}>{bureau.bankruptcies_7y}</Field>
              </FieldGrid>
            </>
          ) : null}
        </>
      )}
    </Paper>
  );
}
