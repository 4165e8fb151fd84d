// The credit application form: its fields as typed, the checks made before sending (the same
// bounds the API enforces), and the request body built from it.
import type { CreditApplication, EmploymentStatus } from '../api/types';
import { moneyError, parseMoney } from '../common/money';
import { i18n } from '../i18n';

export type ApplicationForm = Record<keyof CreditApplication, string>;
export type ApplicationErrors = Partial<Record<keyof CreditApplication | '_form', string>>;

export const EMPLOYMENT: EmploymentStatus[] = ['employed', 'self_employed', 'unemployed', 'retired', 'student'];

/** An employment status in words, in the current language. */
export function employmentLabel(status: EmploymentStatus): string {
  return i18n.t(`employment.${status}`);
}

export const EMPTY_APPLICATION: ApplicationForm = {
  amount: '',
  term_months: '',
  purpose: '',
  monthly_income: '',
  monthly_debt: '0',
  employment_status: 'employed',
  credit_score: '',
  delinquencies_24m: '0',
  bankruptcies_7y: '0',
};

function wholeNumberError(input: string, min: number, max: number): string | null {
  if (!/^\d+$/.test(input.trim())) return i18n.t('validation.wholeNumber');
  const value = Number(input);
  if (value < min || value > max) return i18n.t('validation.range', { min, max });
  return null;
}

export function validateApplication(form: ApplicationForm): ApplicationErrors {
  const checks: [keyof CreditApplication, string | null][] = [
    ['amount', moneyError(form.amount, { positive: true, max: '10000000.00' })],
    ['term_months', wholeNumberError(form.term_months, 6, 360)],
    [
      'purpose',
      !form.purpose.trim()
        ? i18n.t('validation.purposeMissing')
        : form.purpose.length > 500
          ? i18n.t('validation.tooLong', { max: 500 })
          : null,
    ],
    ['monthly_income', moneyError(form.monthly_income, { max: '100000000.00' })],
    ['monthly_debt', moneyError(form.monthly_debt, { max: '100000000.00' })],
    ['employment_status', (EMPLOYMENT as string[]).includes(form.employment_status) ? null : i18n.t('validation.chooseOne')],
    ['credit_score', wholeNumberError(form.credit_score, 300, 850)],
    ['delinquencies_24m', wholeNumberError(form.delinquencies_24m, 0, 100)],
    ['bankruptcies_7y', wholeNumberError(form.bankruptcies_7y, 0, 20)],
  ];
  const errors: ApplicationErrors = {};
  for (const [field, message] of checks) if (message) errors[field] = message;
  return errors;
}

/** The body to send; call only on a form `validateApplication` accepted. */
export function toApplication(form: ApplicationForm): CreditApplication {
  const money = (value: string) => parseMoney(value) ?? '0.00';
  return {
    amount: money(form.amount),
    term_months: Number(form.term_months),
    purpose: form.purpose.trim(),
    monthly_income: money(form.monthly_income),
    monthly_debt: money(form.monthly_debt),
    employment_status: form.employment_status as EmploymentStatus,
    credit_score: Number(form.credit_score),
    delinquencies_24m: Number(form.delinquencies_24m),
    bankruptcies_7y: Number(form.bankruptcies_7y),
  };
}
