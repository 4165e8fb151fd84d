import type { ApiError } from '../api/errors';

export interface LinkProblem {
  title: string;
  explanation: string;
}

/** What each approval-link error code means for the person holding the link. */
const PROBLEMS: Record<string, LinkProblem> = {
  link_used: {
    title: 'This link has already been used',
    explanation:
      'A decision was already recorded with this link, and each link works only once. Sign in to see where the request stands.',
  },
  link_expired: {
    title: 'This link has expired',
    explanation: 'Approval links work for a limited time. Sign in and decide from your inbox instead.',
  },
  link_not_current: {
    title: 'This link is no longer current',
    explanation:
      'The stage was reassigned to another approver, or your account or role no longer allows you to decide it. Nothing more is needed from this link.',
  },
  stage_decided: {
    title: 'This stage has already been decided',
    explanation:
      'A decision was already recorded for this stage, in the app or by another link. Sign in to see where the request stands.',
  },
  request_withdrawn: {
    title: 'The applicant withdrew this request',
    explanation: 'The request was withdrawn before this stage was decided, so no decision is needed.',
  },
  link_invalid: {
    title: 'This link is not valid',
    explanation: 'Check that you opened the whole link from the email; a link that was cut or changed does not work.',
  },
};

/** The explanation for a link error, or null when the error is not about the link itself. */
export function linkProblem(error: ApiError): LinkProblem | null {
  return PROBLEMS[error.code] ?? null;
}
