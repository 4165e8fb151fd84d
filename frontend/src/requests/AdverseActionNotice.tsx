import Alert from '@mui/material/Alert';
import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { type ReactNode, useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';

import * as api from '../api/endpoints';
import type { AdverseActionNotice } from '../api/types';
import { Field, FieldGrid } from '../common/Field';
import { ErrorState, Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { useResource } from '../common/useResource';
import { formatDateTime } from '../i18n/format';

/** The statuses whose request has an adverse action notice (the API's ADVERSE_ACTION_STATES). */
export const ADVERSE_STATUSES: readonly string[] = ['auto_rejected', 'rejected', 'incomplete', 'offer_declined'];

/**
 * A request's adverse action notice, as the applicant was emailed it (Reg B 1002.9, FCRA
 * 615(a)): the action, the principal reasons, the score used with its range, key factors and
 * date, the credit bureau, the applicant's rights and the ECOA notice. The legal statements
 * come from the API word for word (they are the notice's, not the app's, wording).
 */
export function AdverseActionNoticePage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const notice = useResource((signal) => api.getNotice(id, { signal }), [id]);
  const back = <RouterLink to={`/requests/${id}`}>{t('notice.back')}</RouterLink>;

  if (notice.error && !notice.data) {
    return (
      <>
        <PageHeader title={t('notice.title')}>{back}</PageHeader>
        {notice.error.status === 404 ? (
          <Alert severity="info">{t('notice.none')}</Alert>
        ) : (
          <ErrorState error={notice.error} onRetry={notice.reload} title={t('notice.loadError')} />
        )}
      </>
    );
  }
  if (!notice.data) return <Loading label={t('notice.loading')} />;
  return (
    <>
      <PageHeader title={notice.data.heading}>{back}</PageHeader>
      <NoticeBody notice={notice.data} />
    </>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const headingId = useId();
  return (
    <Paper component="section" aria-labelledby={headingId} variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }}>
      <Typography component="h2" variant="h6" id={headingId} sx={{ mb: 1 }}>
        {title}
      </Typography>
      {children}
    </Paper>
  );
}

export function NoticeBody({ notice }: { notice: AdverseActionNotice }) {
  const { t } = useTranslation();
  const { score, bureau, statements } = notice;
  return (
    <div data-testid="adverse-action-notice">
      <Typography sx={{ mb: 1 }}>{notice.action_text}</Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 3 }}>
        {notice.sent_at ? t('notice.sent', { when: formatDateTime(notice.sent_at) }) : t('notice.notSent')}
      </Typography>
      <Section title={t('notice.reasons')}>
        <ol data-testid="notice-reasons">
          {notice.reasons.map((reason) => (
            <li key={reason.code}>
              <Typography>{reason.message}</Typography>
            </li>
          ))}
        </ol>
        {notice.comment ? (
          <>
            <Typography component="h3" variant="subtitle1" sx={{ fontWeight: 700, mt: 2 }}>
              {t('notice.comment')}
            </Typography>
            <Typography component="blockquote" sx={{ whiteSpace: 'pre-line', borderLeft: 4, borderColor: 'divider', pl: 2, m: 0 }}>
              {notice.comment}
            </Typography>
          </>
        ) : null}
      </Section>
      <Section title={t('notice.score')}>
        {score ? (
          <>
            <Typography sx={{ mb: 1 }}>{t('notice.scoreUsed')}</Typography>
            <Typography variant="body2" sx={{ mb: 2 }}>
              {statements.score}
            </Typography>
            <FieldGrid>
              <Field label={t('notice.scoreValue')}>{score.value}</Field>
              <Field label={t('notice.scoreRange')}>{t('notice.rangeValue', { low: score.range_low, high: score.range_high })}</Field>
              <Field label={t('notice.scoreDate')}>{formatDateTime(score.date)}</Field>
            </FieldGrid>
            <Typography component="h3" variant="subtitle1" sx={{ fontWeight: 700, mt: 3, mb: 1 }}>
              {t('notice.factors')}
            </Typography>
            <ul data-testid="notice-factors">
              {score.factors.map((factor) => (
                <li key={factor}>
                  <Typography>{factor}</Typography>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <Typography>{t('notice.noScore')}</Typography>
        )}
      </Section>
      <Section title={t('notice.bureau')}>
        <FieldGrid>
          <Field label={t('notice.bureauName')}>{bureau.name}</Field>
          <Field label={t('notice.bureauAddress')}>{bureau.address}</Field>
          <Field label={t('notice.bureauPhone')}>
            <Link href={`tel:${bureau.phone.replace(/[^0-9+]/g, '')}`}>{bureau.phone}</Link>
          </Field>
          <Field label={t('notice.bureauWebsite')}>
            <Link href={bureau.website} rel="noopener noreferrer">
              {bureau.website}
            </Link>
          </Field>
        </FieldGrid>
        <Typography sx={{ mt: 2 }}>{statements.bureau_did_not_decide}</Typography>
      </Section>
      <Section title={t('notice.rights')}>
        <Typography sx={{ mb: 1 }}>{statements.free_report}</Typography>
        <Typography>{statements.dispute}</Typography>
      </Section>
      <Section title={t('notice.ecoa')}>
        <Typography>{statements.ecoa}</Typography>
      </Section>
    </div>
  );
}
