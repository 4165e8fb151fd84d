import { toApiError } from '../api/errors';
import { i18n } from '../i18n';

/** What a refused emailed link (verification or password reset) means, in the reader's language. */
export function linkProblem(reason: unknown): string {
  const error = toApiError(reason);
  switch (error.code) {
    case 'link_expired':
      return i18n.t('accountLinks.expired');
    case 'link_used':
      return i18n.t('accountLinks.used');
    case 'link_invalid':
      return i18n.t('accountLinks.invalid');
    default:
      return error.message;
  }
}
