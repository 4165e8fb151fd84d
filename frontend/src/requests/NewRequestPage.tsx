import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import InputAdornment from '@mui/material/InputAdornment';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';

import * as api from '../api/endpoints';
import type { CreditApplication } from '../api/types';
import { FormError } from '../common/feedback';
import { useFormSubmit } from '../common/forms';
import { parseMoney } from '../common/money';
import { PageHeader } from '../common/PageHeader';
import { SubmitButton } from '../common/SubmitButton';
import { currencySymbol, formatMoney } from '../i18n/format';
import {
  type ApplicationErrors,
  type ApplicationForm,
  EMPLOYMENT,
  employmentLabel,
  EMPTY_APPLICATION,
  toApplication,
  validateApplication,
} from './application';

const MONEY_FIELDS: (keyof CreditApplication)[] = ['amount', 'monthly_income', 'monthly_debt'];
const COUNT_FIELDS: (keyof CreditApplication)[] = ['term_months', 'credit_score', 'delinquencies_24m', 'bankruptcies_7y'];

export function NewRequestPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const welcome = (location.state as { welcome?: boolean } | null)?.welcome === true;
  const [values, setValues] = useState<ApplicationForm>(EMPTY_APPLICATION);
  const { form, errors, setErrors, busy, submit } = useFormSubmit<ApplicationErrors>(
    () => validateApplication(values),
    async () => {
      const created = await api.submitRequest(toApplication(values));
      navigate(`/requests/${created.id}`, { state: { submitted: true } });
    },
  );

  function field(name: keyof CreditApplication, label: string, help: string) {
    const money = MONEY_FIELDS.includes(name);
    const parsed = money ? parseMoney(values[name]) : null;
    return {
      id: `field-${name}`,
      name,
      label,
      value: values[name],
      onChange: (e: { target: { value: string } }) => setValues({ ...values, [name]: e.target.value }),
      onBlur: () => {
        const message = validateApplication(values)[name];
        setErrors((current) => ({ ...current, [name]: message }));
      },
      error: Boolean(errors[name]),
      helperText: errors[name] ?? (parsed ? t('newRequest.moneyEcho', { help, amount: formatMoney(parsed) }) : help),
      required: true,
      fullWidth: true,
      slotProps: money
        ? {
            input: { startAdornment: <InputAdornment position="start">{currencySymbol()}</InputAdornment> },
            htmlInput: { inputMode: 'decimal' as const },
          }
        : COUNT_FIELDS.includes(name)
          ? { htmlInput: { inputMode: 'numeric' as const } }
          : {},
    };
  }

  return (
    <>
      <PageHeader title={t('newRequest.title')}>
        <Typography color="text.secondary">{t('newRequest.intro')}</Typography>
      </PageHeader>
      {welcome ? (
        <Alert severity="success" sx={{ mb: 2 }}>
          {t('newRequest.welcome')}
        </Alert>
      ) : null}
      <Paper component="form" ref={form} noValidate onSubmit={submit} sx={{ p: { xs: 2, sm: 3 } }} aria-label={t('newRequest.formLabel')}>
        <FormError message={errors._form} />
        <Section title={t('newRequest.credit')}>
          <TextField {...field('amount', t('newRequest.amount'), t('newRequest.amountHelp', { max: formatMoney('10000000.00') }))} />
          <TextField {...field('term_months', t('newRequest.term'), t('newRequest.termHelp'))} />
          <TextField
            {...field('purpose', t('newRequest.purpose'), t('newRequest.purposeHelp'))}
            multiline
            minRows={2}
            sx={{ gridColumn: { sm: 'span 2' } }}
          />
        </Section>
        <Section title={t('newRequest.finances')}>
          <TextField {...field('monthly_income', t('newRequest.income'), t('newRequest.incomeHelp'))} />
          <TextField {...field('monthly_debt', t('newRequest.debt'), t('newRequest.debtHelp'))} />
          <TextField select {...field('employment_status', t('newRequest.employment'), t('newRequest.employmentHelp'))}>
            {EMPLOYMENT.map((status) => (
              <MenuItem key={status} value={status}>
                {employmentLabel(status)}
              </MenuItem>
            ))}
          </TextField>
          <TextField {...field('credit_score', t('newRequest.score'), t('newRequest.scoreHelp'))} />
          <TextField {...field('delinquencies_24m', t('newRequest.delinquencies'), t('newRequest.delinquenciesHelp'))} />
          <TextField {...field('bankruptcies_7y', t('newRequest.bankruptcies'), t('newRequest.bankruptciesHelp'))} />
        </Section>
        <SubmitButton busy={busy} busyLabel={t('newRequest.busy')}>
          {t('newRequest.submit')}
        </SubmitButton>
      </Paper>
    </>
  );
}

/** A titled group of the form's fields, two to a row on wider screens. */
function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <Typography component="h2" variant="h6" sx={{ mb: 1 }}>
        {title}
      </Typography>
      <Box sx={{ display: 'grid', gap: 1, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' }, mb: 2 }}>{children}</Box>
    </>
  );
}
