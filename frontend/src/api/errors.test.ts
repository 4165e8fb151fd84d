import { type AxiosAdapter, AxiosError, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';

import { http } from './client';
import { exportAudit } from './endpoints';
import { ApiError, toApiError } from './errors';

function axiosError(status: number | null, data?: unknown): AxiosError {
  const config = { headers: {} } as InternalAxiosRequestConfig;
  const response = status === null ? undefined : { status, data, statusText: '', headers: {}, config };
  return new AxiosError('failed', undefined, config, undefined, response);
}

describe('toApiError', () => {
  it('reads the error body every API error has', () => {
    const error = toApiError(axiosError(410, { error: { code: 'link_used', message: 'Used.', details: null } }));
    expect(error).toMatchObject({ status: 410, code: 'link_used', message: 'Used.' });
  });

  it('maps validation details to field messages', () => {
    const error = toApiError(
      axiosError(422, {
        error: {
          code: 'validation_error',
          message: 'The request is not valid.',
          details: [
            { loc: ['body', 'amount'], msg: 'Input should be greater than 0', type: 'greater_than' },
            { loc: ['body'], msg: 'Value error, a rejection needs a comment explaining it', type: 'value_error' },
          ],
        },
      }),
    );
    expect(error.fieldErrors()).toEqual({
      amount: 'Input should be greater than 0',
      _form: 'A rejection needs a comment explaining it',
    });
  });

  it('reads the error body of a failed CSV export, which arrives as a Blob like the file would', async () => {
    const body = { error: { code: 'forbidden', message: 'Only administrators may export the audit log.', details: null } };
    const adapter: AxiosAdapter = (config) =>
      Promise.reject(
        new AxiosError('failed', undefined, config, undefined, {
          status: 403,
          statusText: '',
          headers: {},
          config,
          data: new Blob([JSON.stringify(body)], { type: 'application/json' }),
        }),
      );
    const original = http.defaults.adapter;
    http.defaults.adapter = adapter;
    try {
      const failure: unknown = await exportAudit({}).catch((caught: unknown) => caught);
      expect(toApiError(failure)).toMatchObject({ status: 403, code: 'forbidden', message: 'Only administrators may export the audit log.' });
    } finally {
      http.defaults.adapter = original;
    }
  });

  it('explains a network failure in words', () => {
    expect(toApiError(axiosError(null))).toMatchObject({ status: 0, code: 'network_error' });
  });

  it('keeps an ApiError as it is', () => {
    const original = new ApiError(404, 'not_found', 'Nope.');
    expect(toApiError(original)).toBe(original);
    expect(original.fieldErrors()).toEqual({});
  });
});
