import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import InputAdornment from '@mui/material/InputAdornment';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type ReactNode, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';

import * as api from '../api/endpoints';
import type { CreditApplication } from '../api/types';
import { FormError } from '../common/feedback';
import { useFormSubmit } from '../common/forms';
import { formatMoney, parseMoney } from '../common/money';
import { PageHeader } from '../common/PageHeader';
import { SubmitButton } from '../common/SubmitButton';
import {
  type ApplicationErrors,
  type ApplicationForm,
  EMPLOYMENT,
  EMPTY_APPLICATION,
  toApplication,
  validateApplication,
} from './application';

const MONEY_FIELDS: (keyof CreditApplication)[] = ['amount', 'monthly_income', 'monthly_debt'];
const COUNT_FIELDS: (keyof CreditApplication)[] = ['term_months', 'credit_score', 'delinquencies_24m', 'bankruptcies_7y'];

export function NewRequestPage() {
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
      helperText: errors[name] ?? (parsed ? `${help} ${formatMoney(parsed)}` : help),
      required: true,
      fullWidth: true,
      slotProps: money
        ? {
            input: { startAdornment: <InputAdornment position="start">$</InputAdornment> },
            htmlInput: { inputMode: 'decimal' as const },
          }
        : COUNT_FIELDS.includes(name)
          ? { htmlInput: { inputMode: 'numeric' as const } }
          : {},
    };
  }

  return (
    <>
      <PageHeader title="New credit request">
        <Typography color="text.secondary">
          An automatic analysis runs right after you submit; most requests then go to our approvers.
        </Typography>
      </PageHeader>
      {welcome ? (
        <Alert severity="success" sx={{ mb: 2 }}>
          Your account is ready. Fill in the form below to apply.
        </Alert>
      ) : null}
      <Paper component="form" ref={form} noValidate onSubmit={submit} sx={{ p: { xs: 2, sm: 3 } }} aria-label="Credit application">
        <FormError message={errors._form} />
        <Section title="The credit">
          <TextField {...field('amount', 'Amount', 'Up to $10,000,000.')} />
          <TextField {...field('term_months', 'Term in months', 'From 6 to 360 months.')} />
          <TextField
            {...field('purpose', 'Purpose', 'What the credit is for.')}
            multiline
            minRows={2}
            sx={{ gridColumn: { sm: 'span 2' } }}
          />
        </Section>
        <Section title="Your finances">
          <TextField {...field('monthly_income', 'Monthly income', 'Before tax.')} />
          <TextField {...field('monthly_debt', 'Monthly debt payments', 'Loans and cards you already pay.')} />
          <TextField select {...field('employment_status', 'Employment', 'Your current situation.')}>
            {EMPLOYMENT.map((option) => (
              <MenuItem key={option.value} value={option.value}>
                {option.label}
              </MenuItem>
            ))}
          </TextField>
          <TextField {...field('credit_score', 'Credit score', 'From 300 to 850.')} />
          <TextField {...field('delinquencies_24m', 'Late payments in the last 24 months', 'Payments 30+ days late.')} />
          <TextField {...field('bankruptcies_7y', 'Bankruptcies in the last 7 years', 'Enter 0 if none.')} />
        </Section>
        <SubmitButton busy={busy} busyLabel="Submitting…">
          Submit request
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
