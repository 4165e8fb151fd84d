import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';

import type { CreditRequestDetail } from '../api/types';
import { roleLabel } from '../auth/roles';
import { formatDateTime } from '../i18n/format';
import { i18n } from '../i18n';
import type { Audience } from './audience';

/**
 * Where the request stands, in one sentence: the status, and while it waits for approvers,
 * "stage k of n", who has it and when it is due. It changes with every status or stage change,
 * which is why the page announces it (a polite live region).
 */
export function standing(request: CreditRequestDetail, audience: Audience): string {
  const t = i18n.t;
  const when = formatDateTime(request.decided_at ?? request.updated_at);
  switch (request.status) {
    case 'submitted':
      return t('progress.submitted');
    case 'pending_approval': {
      const stage = request.stages.find((s) => s.status === 'pending');
      if (!stage) return t('progress.routing');
      const base = { k: stage.level, n: request.stages.length, role: roleLabel(stage.role) };
      // Staff know who holds it by username; the applicant is told a role and a first name.
      const holder = audience === 'staff' ? stage.assignee : stage.approver_first_name;
      if (!holder) return t('progress.assigning', base);
      const role = roleLabel(stage.role).toLowerCase();
      const who = audience === 'staff' ? holder : t('progress.theRoleNamed', { name: holder, role });
      return stage.due_at ? t('progress.pendingDue', { ...base, who, due: formatDateTime(stage.due_at) }) : t('progress.pending', { ...base, who });
    }
    case 'approved':
      return t('progress.approved', { when });
    case 'rejected':
      return t('progress.rejected', { when });
    case 'auto_rejected':
      return t('progress.autoRejected', { when });
    case 'withdrawn':
      return t('progress.withdrawn', { when });
    case 'info_requested':
      return t('progress.infoRequested');
    case 'offer_made':
      return t('progress.offerMade');
    case 'offer_declined':
      return t('progress.offerDeclined', { when });
    case 'incomplete':
      return t('progress.incomplete', { when });
    case 'review_requested':
      return t('progress.reviewRequested');
  }
}

/** What happens next, for the applicant. */
export function nextStep(request: CreditRequestDetail): string {
  const t = i18n.t;
  const ref = request.id.slice(0, 8);
  switch (request.status) {
    case 'submitted':
      return t('next.submitted');
    case 'pending_approval': {
      const stage = request.stages.find((s) => s.status === 'pending');
      const following = stage ? request.stages.find((s) => s.level === stage.level + 1) : undefined;
      if (!stage) return t('next.routing');
      if (following) {
        return t('next.moreStages', { role: roleLabel(stage.role).toLowerCase(), k: following.level, nextRole: roleLabel(following.role).toLowerCase() });
      }
      return t('next.lastStage', { role: roleLabel(stage.role).toLowerCase() });
    }
    case 'approved':
      return t('next.approved', { ref });
    case 'rejected':
      // Declined with no stage declining it: a reviewer confirmed the automatic decline.
      return request.stages.some((s) => s.status === 'rejected') ? t('next.rejected') : t('next.rejectedOnReview');
    case 'auto_rejected':
      return t('next.autoRejected');
    case 'withdrawn':
      return t('next.withdrawn');
    case 'info_requested':
      return t('next.infoRequested');
    case 'offer_made':
      return t('next.offerMade');
    case 'offer_declined':
      return t('next.offerDeclined');
    case 'incomplete':
      return t('next.incomplete');
    case 'review_requested':
      return t('next.reviewRequested');
  }
}

export function RequestProgress({ request, audience }: { request: CreditRequestDetail; audience: Audience }) {
  const { t } = useTranslation();
  const heading = useId();
  return (
    <Paper component="section" aria-labelledby={heading} variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }}>
      <Typography id={heading} component="h2" variant="h6" sx={{ mb: 1 }}>
        {t('progress.heading')}
      </Typography>
      {/* Every status or stage change rewrites this sentence: screen readers announce it. */}
      <Typography role="status" aria-live="polite" aria-atomic="true" sx={{ fontWeight: 600 }} data-testid="request-standing">
        {standing(request, audience)}
      </Typography>
      {audience === 'applicant' ? (
        <Typography sx={{ mt: 1 }}>
          <strong>{t('next.label')}</strong> {nextStep(request)}
        </Typography>
      ) : null}
    </Paper>
  );
}
