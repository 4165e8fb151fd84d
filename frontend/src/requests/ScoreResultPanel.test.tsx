import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { ScoreResult } from '../api/types';
import { renderAt } from '../test/render';
import { ScoreResultPanel } from './ScoreResultPanel';

const scored: ScoreResult = {
  installment: '398.57',
  debt_to_income: '0.1583',
  bureau_report: { credit_score: 702, delinquencies_24m: 1, bankruptcies_7y: 0 },
};

/** The value a description list shows for `label` (its <dd> beside the <dt>). */
function valueOf(label: string): string | null {
  const term = within(screen.getByRole('region', { name: 'Automatic analysis' })).getByText(label, {
    selector: 'dt',
  });
  return term.nextElementSibling?.textContent ?? null;
}

describe('the score result panel', () => {
  it('shows the installment as money, the ratio as a percentage and the bureau report', () => {
    renderAt(<ScoreResultPanel result={scored} />);

    expect(valueOf('Monthly installment')).toBe('$398.57');
    expect(valueOf('Debt-to-income')).toBe('15.83%');
    expect(screen.getByRole('heading', { name: 'Credit bureau report' })).toBeVisible();
    expect(valueOf('Bureau credit score')).toBe('702');
    expect(valueOf('Bureau late payments (24 months)')).toBe('1');
    expect(valueOf('Bureau bankruptcies (7 years)')).toBe('0');
  });

  it.each([
    ['0.4501', '45.01%'],
    ['0.4500', '45%'],
    ['0.0000', '0%'],
    ['1.2345', '123.45%'],
  ])('shows the ratio %s exactly as %s', (ratio, shown) => {
    renderAt(<ScoreResultPanel result={{ ...scored, debt_to_income: ratio }} />);

    expect(valueOf('Debt-to-income')).toBe(shown);
  });

  it('says why there is no ratio when no income was declared', () => {
    renderAt(<ScoreResultPanel result={{ ...scored, debt_to_income: null }} />);

    expect(valueOf('Debt-to-income')).toBe('Not computed: no income declared');
  });

  it('leaves the bureau section out when the API withholds the report', () => {
    renderAt(<ScoreResultPanel result={{ ...scored, bureau_report: null }} />);

    expect(valueOf('Monthly installment')).toBe('$398.57');
    expect(screen.queryByRole('heading', { name: 'Credit bureau report' })).not.toBeInTheDocument();
    expect(screen.queryByText('Bureau credit score')).not.toBeInTheDocument();
  });

  it('says the request is not scored yet when there is no result', () => {
    renderAt(<ScoreResultPanel result={null} />);

    const region = screen.getByRole('region', { name: 'Automatic analysis' });
    expect(region).toHaveTextContent('Not scored yet');
    expect(within(region).queryByText('Monthly installment')).not.toBeInTheDocument();
  });
});
