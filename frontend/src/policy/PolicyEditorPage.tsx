import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import InputAdornment from '@mui/material/InputAdornment';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';

import * as api from '../api/endpoints';
import { type ApiError, toApiError } from '../api/errors';
import type { PolicyVersionDetail, Simulation } from '../api/types';
import { useUser } from '../auth/AuthProvider';
import { roleLabel } from '../auth/roles';
import { DataTable } from '../common/DataTable';
import { ErrorState, Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { useResource } from '../common/useResource';
import { formatDateTime } from '../i18n/format';
import { diff, levelsOf, type Metric, OPERATORS, type PolicyDocument, problemsByField, TIERS, type Tier } from './document';
import { SimulationResults } from './SimulationResults';

/** Loads the version, and the active one to compare it with. */
export function PolicyEditorPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const version = useResource((signal) => api.getPolicy(id, { signal }), [id]);
  const active = useResource(async (signal) => {
    const page = await api.listPolicies(null, { signal });
    const found = page.items.find((item) => item.status === 'active');
    return found ? api.getPolicy(found.id, { signal }) : null;
  }, [id]);
  if (version.error) return <ErrorState error={version.error} onRetry={version.reload} />;
  if (!version.data) return <Loading label={t('policy.loading')} />;
  return <PolicyEditor key={`${version.data.id}-${version.data.status}`} initial={version.data} active={active.data ?? null} />;
}

function PolicyEditor({ initial, active }: { initial: PolicyVersionDetail; active: PolicyVersionDetail | null }) {
  const { t } = useTranslation();
  const [version, setVersion] = useState(initial);
  const [document, setDocument] = useState(initial.document as unknown as PolicyDocument);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [activeFrom, setActiveFrom] = useState('');
  const [simulation, setSimulation] = useState<Simulation | null>(null);
  const [busy, setBusy] = useState(false);
  const me = useUser();
  const drafting = version.status === 'draft';
  // A draft is its author's to change (the API refuses anyone else: four eyes).
  const editable = drafting && version.created_by === me.username;
  useEffect(() => setNotice(null), [document]);

  const update = (change: (draft: PolicyDocument) => void) => {
    const next = structuredClone(document);
    change(next);
    setDocument(next);
  };

  async function act(action: () => Promise<PolicyVersionDetail | Simulation>, done: string) {
    setBusy(true);
    setError(null);
    try {
      const result = await action();
      if ('document' in result) setVersion(result);
      else setSimulation(result);
      setProblems({});
      setNotice(done);
    } catch (caught) {
      const apiError = toApiError(caught);
      setProblems(problemsByField(apiError.details));
      setError(apiError);
    } finally {
      setBusy(false);
    }
  }

  const field = (path: string) => ({
    error: path in problems,
    helperText: problems[path] ?? ' ',
    disabled: !editable,
    size: 'small' as const,
  });
  const levels = levelsOf(document);
  const changes = active && active.id !== version.id ? diff(active.document, document) : [];

  return (
    <>
      <PageHeader title={t('policy.versionTitle', { version: version.version })}>
        <Typography data-testid="policy-status">
          {t(`policy.status.${version.status}`)}
          {version.scheduled && version.active_from ? ` — ${t('policy.scheduledFor', { when: formatDateTime(version.active_from) })}` : null}
        </Typography>
      </PageHeader>
      {notice ? (
        <Alert severity="success" sx={{ mb: 2 }} role="status">
          {notice}
        </Alert>
      ) : null}
      {error ? (
        <Alert severity="error" sx={{ mb: 2 }} data-testid="policy-error">
          {error.message}
          {Object.keys(problems).length > 0 ? ` ${t('policy.seeFields')}` : null}
        </Alert>
      ) : null}

      <Section title={t('policy.general')}>
        <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2 }}>
          <TextField
            label={t('policy.referenceRate')}
            value={document.reference_annual_rate}
            onChange={(e) => update((d) => void (d.reference_annual_rate = e.target.value))}
            slotProps={{ input: { endAdornment: <InputAdornment position="end">{t('policy.units.perYear')}</InputAdornment> } }}
            {...field('reference_annual_rate')}
          />
          <TextField
            label={t('policy.maxReasons')}
            type="number"
            value={document.max_reasons}
            onChange={(e) => update((d) => void (d.max_reasons = Number(e.target.value)))}
            {...field('max_reasons')}
          />
          <TextField
            label={t('policy.defaultSla')}
            type="number"
            value={document.stage_sla_hours}
            onChange={(e) => update((d) => void (d.stage_sla_hours = Number(e.target.value)))}
            slotProps={{ input: { endAdornment: <InputAdornment position="end">{t('policy.units.hours')}</InputAdornment> } }}
            {...field('stage_sla_hours')}
          />
        </Box>
      </Section>

      <Section title={t('policy.thresholds')}>
        <DataTable
          label={t('policy.thresholds')}
          columns={[t('policy.code'), t('policy.measure'), t('policy.condition'), t('policy.threshold'), t('policy.wording'), t('policy.rank')]}
        >
          {document.rejection_rules.map((rule, index) => (
            <TableRow key={index}>
              <TableCell>
                <TextField label={t('policy.code')} value={rule.code} onChange={(e) => update((d) => void (nth(d.rejection_rules, index).code = e.target.value))} {...field(`rejection_rules.${index}.code`)} />
              </TableCell>
              <TableCell>{t(`policy.metrics.${rule.metric}`)}</TableCell>
              <TableCell>
                <OperatorSelect id={`rule-${index}-op`} value={rule.op} disabled={!editable} onChange={(op) => update((d) => void (nth(d.rejection_rules, index).op = op))} />
              </TableCell>
              <TableCell>
                <ThresholdField
                  id={`rule-${index}-value`}
                  metric={rule.metric}
                  value={rule.value}
                  onChange={(value) => update((d) => void (nth(d.rejection_rules, index).value = value))}
                  {...field(`rejection_rules.${index}.value`)}
                />
              </TableCell>
              <TableCell sx={{ minWidth: 280 }}>
                <TextField
                  label={t('policy.wordingFor', { code: rule.code })}
                  multiline
                  fullWidth
                  value={rule.message}
                  onChange={(e) => update((d) => void (nth(d.rejection_rules, index).message = e.target.value))}
                  {...field(`rejection_rules.${index}.message`)}
                />
              </TableCell>
              <TableCell>
                <TextField
                  label={t('policy.rankFor', { code: rule.code })}
                  type="number"
                  value={rule.rank ?? ''}
                  onChange={(e) => update((d) => void (nth(d.rejection_rules, index).rank = e.target.value === '' ? null : Number(e.target.value)))}
                  {...field(`rejection_rules.${index}.rank`)}
                />
              </TableCell>
            </TableRow>
          ))}
        </DataTable>
      </Section>

      <Section title={t('policy.tiers')}>
        {document.risk_tiers.map((tierRule, tierIndex) => (
          <Box key={tierIndex} sx={{ mb: 2 }}>
            <Typography component="h3" variant="subtitle1">
              {t('policy.tierWhen', { tier: t(`risk.${tierRule.tier}`), when: t(`policy.when.${tierRule.when}`) })}
            </Typography>
            <DataTable label={t('policy.tierBounds', { tier: t(`risk.${tierRule.tier}`) })} columns={[t('policy.measure'), t('policy.condition'), t('policy.threshold')]}>
              {tierRule.conditions.map((condition, index) => (
                <TableRow key={index}>
                  <TableCell>{t(`policy.metrics.${condition.metric}`)}</TableCell>
                  <TableCell>
                    <OperatorSelect
                      id={`tier-${tierIndex}-${index}-op`}
                      value={condition.op}
                      disabled={!editable}
                      onChange={(op) => update((d) => void (nth(nth(d.risk_tiers, tierIndex).conditions, index).op = op))}
                    />
                  </TableCell>
                  <TableCell>
                    <ThresholdField
                      id={`tier-${tierIndex}-${index}-value`}
                      metric={condition.metric}
                      value={condition.value}
                      onChange={(value) => update((d) => void (nth(nth(d.risk_tiers, tierIndex).conditions, index).value = value))}
                      {...field(`risk_tiers.${tierIndex}.conditions.${index}.value`)}
                    />
                  </TableCell>
                </TableRow>
              ))}
            </DataTable>
          </Box>
        ))}
      </Section>

      <Section title={t('policy.chain')}>
        <Typography sx={{ mb: 1 }}>{t('policy.chainHelp')}</Typography>
        {problems.approval_chains ? <Alert severity="error">{problems.approval_chains}</Alert> : null}
        <DataTable label={t('policy.chain')} columns={[t('policy.above'), t('policy.upTo'), t('policy.forTiers'), t('policy.roles')]}>
          {document.approval_chains.map((band, index) => (
            <TableRow key={index}>
              <TableCell>
                <TextField
                  label={t('policy.aboveFor', { band: index + 1 })}
                  value={band.above ?? ''}
                  placeholder={t('policy.previousBand')}
                  onChange={(e) => update((d) => void (nth(d.approval_chains, index).above = e.target.value === '' ? null : e.target.value))}
                  {...field(`approval_chains.${index}.above`)}
                />
              </TableCell>
              <TableCell>
                <TextField
                  label={t('policy.upToFor', { band: index + 1 })}
                  value={band.max_amount ?? ''}
                  placeholder={t('policy.noLimit')}
                  onChange={(e) => update((d) => void (nth(d.approval_chains, index).max_amount = e.target.value === '' ? null : e.target.value))}
                  {...field(`approval_chains.${index}.max_amount`)}
                />
              </TableCell>
              <TableCell>
                <TextField
                  select
                  label={t('policy.tiersFor', { band: index + 1 })}
                  value={band.tiers ?? []}
                  slotProps={{ inputLabel: { shrink: true }, select: { multiple: true, renderValue: (v) => ((v as Tier[]).length ? (v as Tier[]).map((tier) => t(`risk.${tier}`)).join(', ') : t('policy.allTiers')), displayEmpty: true } }}
                  onChange={(e) => {
                    const chosen = e.target.value as unknown as Tier[];
                    update((d) => void (nth(d.approval_chains, index).tiers = chosen.length ? chosen : null));
                  }}
                  {...field(`approval_chains.${index}.tiers`)}
                >
                  {TIERS.map((tier) => (
                    <MenuItem key={tier} value={tier}>
                      {t(`risk.${tier}`)}
                    </MenuItem>
                  ))}
                </TextField>
              </TableCell>
              <TableCell>
                <TextField
                  label={t('policy.rolesFor', { band: index + 1 })}
                  value={band.roles.join(', ')}
                  onChange={(e) =>
                    update(
                      (d) =>
                        void (nth(d.approval_chains, index).roles = e.target.value
                          .split(',')
                          .map((role) => role.trim())
                          .filter(Boolean)),
                    )
                  }
                  {...field(`approval_chains.${index}.roles`)}
                />
              </TableCell>
            </TableRow>
          ))}
        </DataTable>
        {editable ? (
          <Button sx={{ mt: 1 }} onClick={() => update((d) => void d.approval_chains.push({ max_amount: null, roles: [levels[0] ?? 'analyst'] }))}>
            {t('policy.addBand')}
          </Button>
        ) : null}
      </Section>

      <Section title={t('policy.levels')}>
        <Typography sx={{ mb: 1 }}>{t('policy.levelsHelp')}</Typography>
        <DataTable label={t('policy.levels')} columns={[t('policy.level'), t('policy.sla')]}>
          {levels.map((level, index) => (
            <TableRow key={index}>
              <TableCell>
                <TextField
                  label={t('policy.levelName', { position: index + 1 })}
                  value={level}
                  onChange={(e) =>
                    update((d) => {
                      const next = [...levelsOf(d)];
                      next[index] = e.target.value;
                      d.approver_levels = next;
                    })
                  }
                  {...field(`approver_levels.${index}`)}
                />
              </TableCell>
              <TableCell>
                <TextField
                  label={t('policy.slaFor', { role: roleLabel(level) })}
                  type="number"
                  value={document.role_sla_hours?.[level] ?? ''}
                  placeholder={String(document.stage_sla_hours)}
                  onChange={(e) =>
                    update((d) => {
                      const hours = { ...(d.role_sla_hours ?? {}) };
                      if (e.target.value === '') delete hours[level];
                      else hours[level] = Number(e.target.value);
                      d.role_sla_hours = hours;
                    })
                  }
                  slotProps={{ input: { endAdornment: <InputAdornment position="end">{t('policy.units.hours')}</InputAdornment> } }}
                  {...field(`role_sla_hours.${level}`)}
                />
              </TableCell>
            </TableRow>
          ))}
        </DataTable>
        {editable ? (
          <Button sx={{ mt: 1 }} onClick={() => update((d) => void (d.approver_levels = [...levelsOf(d), 'new_level']))}>
            {t('policy.addLevel')}
          </Button>
        ) : null}
      </Section>

      <Section title={t('policy.actions')}>
        <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, alignItems: 'flex-start' }}>
          {drafting && !editable ? <Typography sx={{ width: '100%' }}>{t('policy.othersDraft', { who: version.created_by ?? '' })}</Typography> : null}
          {editable ? (
            <Button variant="outlined" disabled={busy} onClick={() => void act(() => api.updatePolicy(version.id, document as unknown as Record<string, unknown>), t('policy.saved'))}>
              {t('policy.save')}
            </Button>
          ) : null}
          {drafting ? (
            <>
              <TextField label={t('policy.reason')} value={reason} onChange={(e) => setReason(e.target.value)} size="small" helperText={t('policy.reasonHelp')} sx={{ minWidth: 320 }} />
              <Button
                variant="contained"
                disabled={busy || reason.trim().length < 10}
                onClick={() =>
                  void act(async () => {
                    if (editable) await api.updatePolicy(version.id, document as unknown as Record<string, unknown>);
                    return api.proposePolicy(version.id, reason);
                  }, t('policy.proposed'))
                }
              >
                {t('policy.propose')}
              </Button>
            </>
          ) : null}
          {version.status !== 'active' && version.status !== 'retired' ? (
            <Button variant="outlined" disabled={busy} onClick={() => void act(() => api.simulatePolicy(version.id, 1000), t('policy.simulated'))}>
              {t('policy.simulate')}
            </Button>
          ) : null}
          {version.status === 'proposed' ? (
            <Button variant="contained" disabled={busy} onClick={() => void act(() => api.approvePolicy(version.id), t('policy.approved'))}>
              {t('policy.approve')}
            </Button>
          ) : null}
          {version.status === 'approved' ? (
            <>
              <TextField
                label={t('policy.activeFrom')}
                type="datetime-local"
                value={activeFrom}
                onChange={(e) => setActiveFrom(e.target.value)}
                size="small"
                helperText={t('policy.activeFromHelp')}
                slotProps={{ inputLabel: { shrink: true } }}
              />
              <Button
                variant="contained"
                disabled={busy}
                onClick={() => void act(() => api.activatePolicy(version.id, activeFrom ? new Date(activeFrom).toISOString() : null), t('policy.activated'))}
              >
                {t('policy.activate')}
              </Button>
            </>
          ) : null}
        </Box>
      </Section>

      <Section title={t('policy.diffTitle', { version: active?.version ?? '—' })}>
        {active === null || active.id === version.id ? (
          <Typography>{t('policy.isActive')}</Typography>
        ) : changes.length === 0 ? (
          <Typography>{t('policy.noChanges')}</Typography>
        ) : (
          <DataTable label={t('policy.diffTitle', { version: active.version })} columns={[t('policy.field'), t('policy.before'), t('policy.after')]}>
            {changes.map((change) => (
              <TableRow key={change.path} data-testid="policy-diff-row">
                <TableCell>{change.path}</TableCell>
                <TableCell>{change.before}</TableCell>
                <TableCell>{change.after}</TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </Section>

      <Section title={t('policy.simulation')}>
        <SimulationResults versionId={version.id} latest={simulation} stored={version.simulation ?? null} />
      </Section>

      <Section title={t('policy.history')}>
        <Typography data-testid="policy-history">
          {[
            version.created_by ? t('policy.draftedBy', { who: version.created_by, when: formatDateTime(version.created_at) }) : null,
            version.proposed_by && version.proposed_at ? t('policy.proposedBy', { who: version.proposed_by, when: formatDateTime(version.proposed_at) }) : null,
            version.approved_by && version.approved_at ? t('policy.approvedBy', { who: version.approved_by, when: formatDateTime(version.approved_at) }) : null,
            version.activated_by && version.activated_at ? t('policy.activatedBy', { who: version.activated_by, when: formatDateTime(version.activated_at) }) : null,
          ]
            .filter(Boolean)
            .join(' · ') || t('policy.noHistory')}
        </Typography>
        {version.reason ? <Typography sx={{ mt: 1 }}>{t('policy.reasonShown', { reason: version.reason })}</Typography> : null}
      </Section>
    </>
  );
}

/** The list's item at `index` (an edited row, which exists). */
function nth<T>(list: T[], index: number): T {
  const item = list[index];
  if (item === undefined) throw new Error(`no row ${index}`);
  return item;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper variant="outlined" component="section" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }}>
      <Typography component="h2" variant="h6" sx={{ mb: 2 }}>
        {title}
      </Typography>
      {children}
    </Paper>
  );
}

function OperatorSelect({ id, value, disabled, onChange }: { id: string; value: string; disabled: boolean; onChange: (op: (typeof OPERATORS)[number]) => void }) {
  const { t } = useTranslation();
  return (
    <TextField select id={id} label={t('policy.condition')} size="small" value={value} disabled={disabled} helperText=" " onChange={(e) => onChange(e.target.value as (typeof OPERATORS)[number])}>
      {OPERATORS.map((op) => (
        <MenuItem key={op} value={op}>
          {t(`policy.ops.${op}`)}
        </MenuItem>
      ))}
    </TextField>
  );
}

function ThresholdField({
  id,
  metric,
  value,
  onChange,
  ...props
}: {
  id: string;
  metric: Metric;
  value: string;
  onChange: (value: string) => void;
  error: boolean;
  helperText: string;
  disabled: boolean;
  size: 'small';
}) {
  const { t } = useTranslation();
  return (
    <TextField
      id={id}
      label={t('policy.thresholdFor', { measure: t(`policy.metrics.${metric}`) })}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      slotProps={{ input: { endAdornment: <InputAdornment position="end">{t(`policy.unitsOf.${metric}`)}</InputAdornment> } }}
      {...props}
    />
  );
}
