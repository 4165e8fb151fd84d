import Chip, { type ChipProps } from '@mui/material/Chip';

import type { RequestStatus, StageStatus } from '../api/types';
import { statusLabel } from './status';

const COLORS: Record<RequestStatus | StageStatus, ChipProps['color']> = {
  submitted: 'info',
  pending_approval: 'warning',
  pending: 'warning',
  approved: 'success',
  rejected: 'error',
  auto_rejected: 'error',
  withdrawn: 'default',
  info_requested: 'warning',
  offer_made: 'info',
  offer_declined: 'error',
  incomplete: 'error',
  review_requested: 'warning',
  waiting: 'default',
  cancelled: 'default',
};

/** The status in words; the colour only repeats what the text says. */
export function StatusChip({ status, size = 'small' }: { status: RequestStatus | StageStatus; size?: ChipProps['size'] }) {
  return <Chip label={statusLabel(status)} color={COLORS[status]} size={size} variant="outlined" data-status={status} />;
}
