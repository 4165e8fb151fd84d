import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { ApiError } from '../api/errors';
import { i18n } from '../i18n';
import type { CreditRequest } from '../api/types';
import { renderAt } from '../test/render';
import { NewRequestPage } from './NewRequestPage';

vi.mock('../api/endpoints');

async function fill(values: Record<string, string>) {
  for (const [label, value] of Object.entries(values)) {
    const field = screen.getByLabelText(new RegExp(`^${label}`));
    await userEvent.clear(field);
    await userEvent.type(field, value);
  }
}

const GOOD = {
  Amount: '12,500.5',
  'Term in months': '36',
  Purpose: 'Car',
  'Monthly income': '4000',
  'Credit score': '720',
};

describe('NewRequestPage', () => {
  beforeEach(() => vi.resetAllMocks());

  it('checks the form before sending and focuses the first problem', async () => {
    renderAt(<NewRequestPage />);
    await fill({ Amount: '0', 'Credit score': '900' });
    await userEvent.click(screen.getByRole('button', { name: 'Submit request' }));

    expect(screen.getByText('Enter an amount above zero.')).toBeVisible();
    expect(screen.getByText('Enter a number from 300 to 850.')).toBeVisible();
    expect(screen.getByText('Say what the credit is for.')).toBeVisible();
    expect(screen.getByLabelText(/^Amount/)).toHaveFocus();
    expect(api.submitRequest).not.toHaveBeenCalled();
  });

  it('sends money as decimal strings and opens the new request', async () => {
    vi.mocked(api.submitRequest).mockResolvedValue({ id: 'new-id' } as CreditRequest);
    renderAt(<NewRequestPage />);
    await fill(GOOD);
    expect(screen.getByText(/\$12,500\.50/)).toBeVisible();
    await userEvent.click(screen.getByRole('button', { name: 'Submit request' }));

    expect(api.submitRequest).toHaveBeenCalledWith({
      amount: '12500.50',
      term_months: 36,
      purpose: 'Car',
      monthly_income: '4000.00',
      monthly_debt: '0.00',
      employment_status: 'employed',
      credit_score: 720,
      delinquencies_24m: 0,
      bankruptcies_7y: 0,
    });
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/requests/new-id'));
  });

  it("shows the API's validation messages next to their fields", async () => {
    vi.mocked(api.submitRequest).mockRejectedValue(
      new ApiError(422, 'validation_error', 'The request is not valid.', [
        { loc: ['body', 'term_months'], msg: 'Input should be less than or equal to 360', type: 'less_than_equal' },
      ]),
    );
    renderAt(<NewRequestPage />);
    await fill(GOOD);
    await userEvent.click(screen.getByRole('button', { name: 'Submit request' }));

    expect(await screen.findByText('Input should be less than or equal to 360')).toBeVisible();
    expect(screen.getByLabelText(/^Term in months/)).toHaveAttribute('aria-invalid', 'true');
  });

  it('reads and shows money the Portuguese way in Portuguese', async () => {
    await i18n.changeLanguage('pt-BR');
    vi.mocked(api.submitRequest).mockResolvedValue({ id: 'new-id' } as CreditRequest);
    renderAt(<NewRequestPage />);
    expect(screen.getByRole('heading', { name: 'Nova solicitação de crédito' })).toBeVisible();
    await fill({ Valor: '12.500,5', 'Prazo em meses': '36', Finalidade: 'Carro', 'Renda mensal': '4.000', 'Score de crédito': '720' });
    expect(screen.getByText(/US\$\s12\.500,50/)).toBeVisible();
    expect(screen.getAllByText('US$')).toHaveLength(3);
    await userEvent.click(screen.getByRole('button', { name: 'Enviar solicitação' }));

    expect(api.submitRequest).toHaveBeenCalledWith(expect.objectContaining({ amount: '12500.50', monthly_income: '4000.00' }));
  });
});
