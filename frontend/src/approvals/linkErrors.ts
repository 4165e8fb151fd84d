import type { ApiError } from '../api/errors';
import { i18n } from '../i18n';

export interface LinkProblem {
  title: string;
  explanation: string;
}

const CODES = [
  'link_used',
  'link_expired',
  'link_not_current',
  'stage_decided',
  'request_withdrawn',
  'link_invalid',
] as const;
type LinkCode = (typeof CODES)[number];

/** What an approval-link error code means for the person holding the link, or null when the error is not about the link itself. */
export function linkProblem(error: ApiError): LinkProblem | null {
  const code = CODES.find((c): c is LinkCode => c === error.code);
  if (code === undefined) return null;
  return { title: i18n.t(`linkProblems.${code}.title`), explanation: i18n.t(`linkProblems.${code}.explanation`) };
}
