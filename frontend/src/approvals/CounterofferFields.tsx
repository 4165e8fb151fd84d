import Box from '@mui/material/Box';
import Checkbox from '@mui/material/Checkbox';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useTranslation } from 'react-i18next';

import type { CounterofferTerms, Decision, Money } from '../api/types';
import { moneyError, parseMoney, toCents } from '../common/money';
import { i18n } from '../i18n';
import { formatMoney } from '../i18n/format';
import { installment } from './offer';

/** What the approver typed for a counteroffer, as typed. */
export interface OfferDraft {
  amount: string;
  term: string;
  reasons: string[];
}

export type OfferErrors = Partial<Record<'amount' | 'term' | 'reasons', string>>;

/** The terms asked for, which an offer may lower (amount) or change (term). */
export interface Requested {
  amount: Money;
  termMonths: number;
}

/** The offer's problems, field by field (the API checks the same, and the catalogue). */
export function validateOffer(draft: OfferDraft, requested: Requested, terms: CounterofferTerms): OfferErrors {
  const errors: OfferErrors = {};
  const amountProblem = moneyError(draft.amount, { positive: true, max: requested.amount });
  if (amountProblem) errors.amount = amountProblem;
  const term = Number(draft.term);
  if (!/^\d+$/.test(draft.term.trim()) || term < terms.min_term_months || term > terms.max_term_months) {
    errors.term = i18n.t('counteroffer.termRange', { min: terms.min_term_months, max: terms.max_term_months });
  }
  const amount = parseMoney(draft.amount);
  if (!errors.amount && !errors.term && amount !== null && toCents(amount) === toCents(requested.amount) && term === requested.termMonths) {
    errors.amount = i18n.t('counteroffer.unchanged');
  }
  if (draft.reasons.length === 0 || draft.reasons.length > terms.max_reasons) {
    errors.reasons = i18n.t('counteroffer.reasonsRange', { max: terms.max_reasons });
  }
  return errors;
}

/** The decision body of a valid draft: only the terms that changed. */
export function offerDecision(draft: OfferDraft, requested: Requested, comment: string): Decision {
  const amount = parseMoney(draft.amount) ?? requested.amount;
  const term = Number(draft.term);
  return {
    decision: 'counteroffer',
    comment,
    offer: {
      ...(toCents(amount) !== toCents(requested.amount) ? { amount } : {}),
      ...(term !== requested.termMonths ? { term_months: term } : {}),
    },
    reason_codes: draft.reasons,
  };
}

/** Amount, term, the installment as it would be, and the principal reasons from the policy's catalogue. */
export function CounterofferFields({
  draft,
  onChange,
  errors,
  requested,
  terms,
}: {
  draft: OfferDraft;
  onChange: (draft: OfferDraft) => void;
  errors: OfferErrors;
  requested: Requested;
  terms: CounterofferTerms;
}) {
  const { t } = useTranslation();
  const rate = Number(terms.reference_annual_rate);
  const amount = parseMoney(draft.amount);
  const preview = amount === null ? NaN : installment(Number(amount), Number(draft.term), rate);
  const asked = installment(Number(requested.amount), requested.termMonths, rate);
  const toggle = (code: string) =>
    onChange({ ...draft, reasons: draft.reasons.includes(code) ? draft.reasons.filter((c) => c !== code) : [...draft.reasons, code] });

  return (
    <Box sx={{ mb: 2 }} data-testid="counteroffer-fields">
      <Typography sx={{ mb: 2 }}>
        {t('counteroffer.intro', { amount: formatMoney(requested.amount), count: requested.termMonths, installment: formatMoney(asked.toFixed(2)) })}
      </Typography>
      <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', mb: 1 }}>
        <TextField
          id="offer-amount"
          name="offer-amount"
          label={t('counteroffer.amount')}
          value={draft.amount}
          onChange={(e) => onChange({ ...draft, amount: e.target.value })}
          error={Boolean(errors.amount)}
          helperText={errors.amount ?? t('counteroffer.amountHelp', { max: formatMoney(requested.amount) })}
          slotProps={{ htmlInput: { inputMode: 'decimal' } }}
        />
        <TextField
          id="offer-term"
          name="offer-term"
          label={t('counteroffer.term')}
          value={draft.term}
          onChange={(e) => onChange({ ...draft, term: e.target.value })}
          error={Boolean(errors.term)}
          helperText={errors.term ?? t('counteroffer.termHelp', { min: terms.min_term_months, max: terms.max_term_months })}
          slotProps={{ htmlInput: { inputMode: 'numeric' } }}
        />
      </Box>
      <Typography role="status" aria-live="polite" sx={{ mb: 2 }} data-testid="offer-installment">
        {Number.isFinite(preview)
          ? t('counteroffer.installment', { installment: formatMoney(preview.toFixed(2)), rate: (rate * 100).toFixed(2) })
          : t('counteroffer.installmentUnknown')}
      </Typography>
      <FormControl component="fieldset" error={Boolean(errors.reasons)} sx={{ mb: 1 }}>
        <FormLabel component="legend">{t('counteroffer.reasons', { max: terms.max_reasons })}</FormLabel>
        <FormGroup>
          {terms.decline_reasons.map((reason) => (
            <FormControlLabel
              key={reason.code}
              control={<Checkbox checked={draft.reasons.includes(reason.code)} onChange={() => toggle(reason.code)} name="reason_codes" value={reason.code} />}
              label={reason.message}
            />
          ))}
        </FormGroup>
        <FormHelperText>{errors.reasons ?? t('counteroffer.reasonsHelp')}</FormHelperText>
      </FormControl>
    </Box>
  );
}
