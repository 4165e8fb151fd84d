import type { Stage } from '../api/types';

/**
 * The monthly installment of an amortising loan, P*r / (1 - (1 + r)^-n) with r the monthly
 * rate, rounded to cents: the same formula the API computes the offer's installment with
 * (in exact decimals). Here only for the live preview while the approver types.
 */
export function installment(amount: number, months: number, annualRate: number): number {
  if (!(amount > 0) || !(months > 0)) return NaN;
  const payment = annualRate === 0 ? amount / months : (amount * (annualRate / 12)) / (1 - (1 + annualRate / 12) ** -months);
  return Math.round(payment * 100) / 100;
}

/** Whether the stage awaiting a decision is the chain's last, which alone may approve other terms. */
export function pendingIsFinal(stages: Stage[]): boolean {
  const pending = stages.find((s) => s.status === 'pending');
  return pending !== undefined && pending.level === Math.max(...stages.map((s) => s.level));
}
