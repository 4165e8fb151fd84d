import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';

import type { Stage } from '../api/types';
import { ROLE_LABELS } from '../auth/roles';
import { formatDateTime } from '../common/dates';
import { StatusChip } from '../common/StatusChip';

/** The approval chain, in order: who, when, what they decided and why. */
export function StageTimeline({ stages }: { stages: Stage[] }) {
  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }}>
      <Typography component="h2" variant="h6" sx={{ mb: 2 }}>
        Approval history
      </Typography>
      {stages.length === 0 ? (
        <Typography color="text.secondary">No approval stages: the request has not reached the approvers.</Typography>
      ) : (
        <Box component="ol" sx={{ listStyle: 'none', p: 0, m: 0 }} aria-label="Approval stages">
          {stages.map((stage) => (
            <Box
              component="li"
              key={stage.id}
              data-stage-level={stage.level}
              sx={{ borderLeft: 3, borderColor: 'divider', pl: 2, pb: 2, position: 'relative' }}
            >
              <Box sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 1 }}>
                <Typography component="h3" sx={{ fontWeight: 700 }}>
                  Stage {stage.level}: {ROLE_LABELS[stage.role]}
                </Typography>
                <StatusChip status={stage.status} />
              </Box>
              {stage.assignee ? (
                <Typography variant="body2">
                  Assigned to <strong>{stage.assignee}</strong>
                  {stage.due_at && stage.status === 'pending' ? `, due ${formatDateTime(stage.due_at)}` : ''}
                </Typography>
              ) : null}
              {stage.decided_by && stage.decided_at ? (
                <Typography variant="body2">
                  {stage.status === 'approved' ? 'Approved' : 'Rejected'} by <strong>{stage.decided_by}</strong> on{' '}
                  {formatDateTime(stage.decided_at)}
                </Typography>
              ) : null}
              {stage.comment ? (
                <Typography variant="body2" component="blockquote" sx={{ m: 0, mt: 0.5, fontStyle: 'italic' }}>
                  “{stage.comment}”
                </Typography>
              ) : null}
            </Box>
          ))}
        </Box>
      )}
    </Paper>
  );
}
