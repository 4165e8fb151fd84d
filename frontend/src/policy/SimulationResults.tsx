import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import * as api from '../api/endpoints';
import { type ApiError, toApiError } from '../api/errors';
import type { ChangedRequest, Simulation, SimulationSummary } from '../api/types';
import { DataTable } from '../common/DataTable';
import { SubmitButton } from '../common/SubmitButton';
import { formatDateTime, formatMoney } from '../i18n/format';

const OUTCOMES = ['pending_approval', 'auto_rejected'] as const;
type TierName = 'low' | 'medium' | 'high' | 'declined';

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function signed(value: number): string {
  return `${value > 0 ? '+' : ''}${(value * 100).toFixed(1)} pp`;
}

/**
 * The latest simulation of the version: rates and their change, outcome counts as a bar chart
 * (current beside candidate), and the requests whose outcome, tier or chain changes, paged.
 */
export function SimulationResults({ versionId, latest, stored }: { versionId: string; latest: Simulation | null; stored: SimulationSummary | null }) {
  const { t } = useTranslation();
  const [changes, setChanges] = useState<ChangedRequest[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [loadMoreError, setLoadMoreError] = useState<ApiError>();
  const [superseded, setSuperseded] = useState(false);
  const loadingPage = useRef<AbortController | null>(null);
  const summary: SimulationSummary | null = latest ?? stored;

  useEffect(() => {
    // A page of the run shown until now must not land on the list of the one shown next.
    loadingPage.current?.abort();
    setLoadingMore(false);
    setLoadMoreError(undefined);
    setSuperseded(false);
    if (latest) {
      setChanges(latest.changes);
      setCursor(latest.next_cursor);
    } else if (stored) {
      const controller = new AbortController();
      api
        .policySimulation(versionId, null, { signal: controller.signal })
        .then((page) => {
          setChanges(page.changes);
          setCursor(page.next_cursor);
        })
        .catch(() => undefined);
      return () => controller.abort();
    }
    return undefined;
  }, [versionId, latest, stored]);

  function loadMore(from: string, run: string) {
    const controller = new AbortController();
    loadingPage.current = controller;
    setLoadingMore(true);
    setLoadMoreError(undefined);
    // Another run replaced the one shown (someone simulated again): its pages are not this
    // list's. The API refuses the shown run's cursor then; a page of another run is dropped.
    const replaced = () => {
      setSuperseded(true);
      setCursor(null);
    };
    api
      .policySimulation(versionId, from, { signal: controller.signal })
      .then(
        (page) => {
          if (controller.signal.aborted) return;
          if (page.run_at !== run) return replaced();
          setChanges((shown) => [...shown, ...page.changes]);
          setCursor(page.next_cursor);
        },
        (caught: unknown) => {
          if (controller.signal.aborted) return;
          const error = toApiError(caught);
          if (error.code === 'simulation_superseded') replaced();
          else setLoadMoreError(error);
        },
      )
      .finally(() => {
        if (!controller.signal.aborted) setLoadingMore(false);
      });
  }

  if (!summary) return <Typography>{t('policy.noSimulation')}</Typography>;
  const total = Math.max(summary.requests, 1);
  return (
    <>
      <Typography sx={{ mb: 2 }} data-testid="simulation-summary">
        {t('policy.simulationRun', { count: summary.requests, who: summary.run_by, when: formatDateTime(summary.run_at), against: summary.against_version })}{' '}
        {t('policy.rates', {
          approval: percent(summary.candidate.approval_rate),
          approvalChange: signed(summary.approval_rate_change),
          decline: percent(summary.candidate.auto_decline_rate),
          declineChange: signed(summary.auto_decline_rate_change),
        })}
      </Typography>
      <Box component="figure" sx={{ m: 0, mb: 2 }} aria-labelledby="simulation-chart-caption">
        <Typography component="figcaption" id="simulation-chart-caption" variant="subtitle2">
          {t('policy.chartCaption')}
        </Typography>
        {OUTCOMES.map((outcome) =>
          (['current', 'candidate'] as const).map((side) => {
            const count = summary.outcomes[side]?.[outcome] ?? 0;
            return (
              <Box key={`${outcome}-${side}`} sx={{ display: 'flex', alignItems: 'center', gap: 1, my: 0.5 }}>
                <Typography variant="body2" sx={{ width: 240 }}>
                  {t(`status.${outcome}`)} — {t(`policy.side.${side}`)}
                </Typography>
                <Box sx={{ height: 16, width: `${(count / total) * 60}%`, minWidth: 2, bgcolor: side === 'current' ? 'text.secondary' : 'primary.main' }} />
                <Typography variant="body2">{count}</Typography>
              </Box>
            );
          }),
        )}
      </Box>
      <DataTable label={t('policy.tierShifts')} columns={[t('policy.from'), t('policy.to'), t('policy.count')]}>
        {Object.entries(summary.tier_shifts).flatMap(([from, targets]) =>
          Object.entries(targets).map(([to, count]) => (
            <TableRow key={`${from}-${to}`}>
              <TableCell>{t(`policy.tierName.${from as TierName}`)}</TableCell>
              <TableCell>{t(`policy.tierName.${to as TierName}`)}</TableCell>
              <TableCell>{count}</TableCell>
            </TableRow>
          )),
        )}
      </DataTable>
      <Typography component="h3" variant="subtitle1" sx={{ mt: 2 }}>
        {t('policy.changedTitle', { count: summary.changed })}
      </Typography>
      <DataTable label={t('policy.changedTitle', { count: summary.changed })} columns={[t('policy.reference'), t('policy.amount'), t('policy.side.current'), t('policy.side.candidate')]}>
        {changes.map((change) => (
          <TableRow key={change.request_id} data-testid="simulation-change">
            <TableCell>{change.request_id.slice(0, 8)}</TableCell>
            <TableCell>{formatMoney(change.amount)}</TableCell>
            <TableCell>
              <Verdict verdict={change.current} />
            </TableCell>
            <TableCell>
              <Verdict verdict={change.candidate} />
            </TableCell>
          </TableRow>
        ))}
      </DataTable>
      {loadMoreError ? (
        <Alert severity="error" sx={{ mt: 1 }}>
          {loadMoreError.message}
        </Alert>
      ) : null}
      {superseded ? (
        <Alert severity="info" sx={{ mt: 1 }}>
          {t('policy.simulationSuperseded')}
        </Alert>
      ) : null}
      {cursor ? (
        <SubmitButton type="button" variant="text" sx={{ mt: 1 }} busy={loadingMore} busyLabel={t('common.loadingMore')} onClick={() => loadMore(cursor, summary.run_at)}>
          {t('common.loadMore')}
        </SubmitButton>
      ) : null}
    </>
  );
}

function Verdict({ verdict }: { verdict: ChangedRequest['current'] }) {
  const { t } = useTranslation();
  const outcome = t(`status.${verdict.outcome}`);
  if (verdict.outcome === 'auto_rejected') return <>{`${outcome} (${verdict.reasons.join(', ')})`}</>;
  return <>{`${outcome}: ${verdict.risk_tier ? t(`risk.${verdict.risk_tier}`) : ''}, ${verdict.chain.join(' → ')}`}</>;
}
