import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useTranslation } from 'react-i18next';

import type { Stage } from '../api/types';
import { roleLabel } from '../auth/roles';
import { StatusChip } from '../common/StatusChip';
import { formatDateTime } from '../i18n/format';
import type { Audience } from './audience';

/**
 * The approval chain, in order: who, when, what they decided and why. Staff see approvers by
 * username; applicants only by role (staff usernames are internal).
 */
export function StageTimeline({ stages, audience }: { stages: Stage[]; audience: Audience }) {
  const { t } = useTranslation();
  const staff = audience === 'staff';
  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }}>
      <Typography component="h2" variant="h6" sx={{ mb: 2 }}>
        {t('timeline.heading')}
      </Typography>
      {stages.length === 0 ? (
        <Typography color="text.secondary">{t('timeline.none')}</Typography>
      ) : (
        <Box component="ol" sx={{ listStyle: 'none', p: 0, m: 0 }} aria-label={t('timeline.label')}>
          {stages.map((stage) => {
            const role = roleLabel(stage.role);
            const decided = stage.status === 'approved' ? 'approved' : 'rejected';
            return (
              <Box
                component="li"
                key={stage.id}
                data-stage-level={stage.level}
                sx={{ borderLeft: 3, borderColor: 'divider', pl: 2, pb: 2, position: 'relative' }}
              >
                <Box sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 1 }}>
                  <Typography component="h3" sx={{ fontWeight: 700 }}>
                    {t('timeline.stage', { k: stage.level, n: stages.length, role })}
                  </Typography>
                  <StatusChip status={stage.status} />
                </Box>
                {stage.assignee && stage.status === 'pending' ? (
                  <Typography variant="body2">
                    {staff ? t('timeline.assignedTo', { who: stage.assignee }) : t('timeline.withRole', { role: role.toLowerCase() })}
                    {stage.due_at ? t('timeline.due', { due: formatDateTime(stage.due_at) }) : ''}
                  </Typography>
                ) : staff && stage.assignee && !stage.decided_by ? (
                  <Typography variant="body2">{t('timeline.assignedTo', { who: stage.assignee })}</Typography>
                ) : null}
                {stage.decided_by && stage.decided_at ? (
                  <Typography variant="body2">
                    {staff
                      ? t(`timeline.${decided}By`, { who: stage.decided_by, when: formatDateTime(stage.decided_at) })
                      : t(`timeline.${decided}ByRole`, { role: role.toLowerCase(), when: formatDateTime(stage.decided_at) })}
                    {stage.decided_via ? t(`timeline.via.${stage.decided_via}`) : ''}
                  </Typography>
                ) : null}
                {stage.comment ? (
                  <Typography variant="body2" component="blockquote" sx={{ m: 0, mt: 0.5, fontStyle: 'italic' }}>
                    {t('timeline.comment', { comment: stage.comment })}
                  </Typography>
                ) : null}
              </Box>
            );
          })}
        </Box>
      )}
    </Paper>
  );
}
