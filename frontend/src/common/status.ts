import type { RequestStatus, StageStatus } from '../api/types';

export const REQUEST_STATUSES: RequestStatus[] = [
  'submitted',
  'pending_approval',
  'approved',
  'rejected',
  'auto_rejected',
  'withdrawn',
];

export const STATUS_LABELS: Record<RequestStatus | StageStatus, string> = {
  submitted: 'Submitted',
  auto_rejected: 'Auto-rejected',
  pending_approval: 'Pending approval',
  approved: 'Approved',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
  waiting: 'Waiting',
  pending: 'Awaiting decision',
  cancelled: 'Cancelled',
};

/** Requests that can still change: their pages refresh themselves. */
export function isOpen(status: RequestStatus): boolean {
  return status === 'submitted' || status === 'pending_approval';
}
