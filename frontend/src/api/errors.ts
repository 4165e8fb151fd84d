import { isAxiosError } from 'axios';

import { i18n } from '../i18n';

/** One problem with one input, as the API reports validation errors. */
interface ValidationDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** Every API error answers {"error": {"code", "message", "details"}}; this is it, typed. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /**
   * Validation messages by field name (the last part of `loc` for body and query fields).
   * Messages about the body as a whole are under "_form".
   */
  fieldErrors(): Record<string, string> {
    if (this.code !== 'validation_error' || !Array.isArray(this.details)) return {};
    const errors: Record<string, string> = {};
    for (const detail of this.details as ValidationDetail[]) {
      const loc = Array.isArray(detail.loc) ? detail.loc : [];
      const field = loc.length > 1 ? String(loc[loc.length - 1]) : '_form';
      errors[field] ??= cleanMessage(detail.msg);
    }
    return errors;
  }
}

function cleanMessage(message: string): string {
  const text = message.replace(/^Value error, /, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Whether an answer's body is the API's own error envelope (not, say, a proxy's page). */
export function isErrorBody(data: unknown): data is { error: { code: string; message: string; details: unknown } } {
  if (typeof data !== 'object' || data === null || !('error' in data)) return false;
  const error = (data as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}

/** Any thrown value as an ApiError, with a message a person can act on. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isAxiosError(error)) {
    const response = error.response;
    if (response && isErrorBody(response.data)) {
      const { code, message, details } = response.data.error;
      return new ApiError(response.status, code, message, details);
    }
    if (response) {
      return new ApiError(response.status, 'http_error', i18n.t('errors.http', { status: response.status }));
    }
    return new ApiError(0, 'network_error', i18n.t('errors.network'));
  }
  return new ApiError(0, 'unexpected', i18n.t('errors.unexpected'));
}
