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
 * username; applicants by role and first name only (the API sends them nothing more).
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
                {staff ? (
                  <StaffLine stage={stage} decided={decided} />
                ) : (
                  <ApplicantLine stage={stage} decided={decided} role={role.toLowerCase()} />
                )}
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

type Decided = 'approved' | 'rejected';

function StaffLine({ stage, decided }: { stage: Stage; decided: Decided }) {
  const { t } = useTranslation();
  if (stage.decided_by && stage.decided_at) {
    return (
      <Typography variant="body2">
        {t(`timeline.${decided}By`, { who: stage.decided_by, when: formatDateTime(stage.decided_at) })}
        {stage.on_behalf_of ? t('timeline.onBehalfOf', { who: stage.on_behalf_of }) : ''}
        {stage.decided_via ? t(`timeline.via.${stage.decided_via}`) : ''}
      </Typography>
    );
  }
  if (!stage.assignee) return null;
  return (
    <Typography variant="body2">
      {t('timeline.assignedTo', { who: stage.assignee })}
      {stage.on_behalf_of ? t('timeline.onBehalfOf', { who: stage.on_behalf_of }) : ''}
      {stage.status === 'pending' && stage.due_at ? t('timeline.due', { due: formatDateTime(stage.due_at) }) : ''}
    </Typography>
  );
}

function ApplicantLine({ stage, decided, role }: { stage: Stage; decided: Decided; role: string }) {
  const { t } = useTranslation();
  const name = stage.approver_first_name;
  if (stage.decided_at && (stage.status === 'approved' || stage.status === 'rejected')) {
    const when = formatDateTime(stage.decided_at);
    return (
      <Typography variant="body2">
        {name ? t(`timeline.${decided}ByRoleNamed`, { name, role, when }) : t(`timeline.${decided}ByRole`, { role, when })}
        {stage.decided_via ? t(`timeline.via.${stage.decided_via}`) : ''}
      </Typography>
    );
  }
  if (stage.status !== 'pending' || !name) return null;
  return (
    <Typography variant="body2">
      {t('timeline.withRoleNamed', { name, role })}
      {stage.due_at ? t('timeline.due', { due: formatDateTime(stage.due_at) }) : ''}
    </Typography>
  );
}
