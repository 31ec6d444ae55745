/**
 * The decision explorer: every policy decision (and, with the kind switch, every security refusal or every
 * entry) on the audit chain, filtered by participant, dataset, action, allow/deny, deciding rule, policy
 * revision and time. The filters and the open entry are in the URL: a link shows the same view.
 */
import {
  Autocomplete,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { IconFilter, IconFilterOff, IconRefresh } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { EntryDrawer } from './EntryDrawer';
import { EntryTable } from './EntryTable';
import { ExportButtons } from './ExportButtons';
import { apiQuery, fromLocalInput, readFilters, toLocalInput, writeFilters, type Filters } from './filters';

/** The actions the policy decides (free text is accepted too). */
const ACTIONS = [
  'grant.request',
  'grant.approve',
  'token.issue',
  'publish',
  'subscribe',
  'deliver',
  'contract.register',
  'aggregate.release',
  'audit.read',
];

/** Codes security refusals carry most often (free text is accepted too). */
const CODES = [
  'TOKEN.EXPIRED',
  'TOKEN.INVALID_SIGNATURE',
  'TOKEN.MISSING',
  'TOKEN.INSUFFICIENT_SCOPE',
  'GRANT.NOT_FOUND',
  'DATASET.NOT_FOUND',
  'RATE_LIMIT.EXCEEDED',
];

function FilterForm({ filters, onApply }: { filters: Filters; onApply: (f: Filters) => void }) {
  const { t } = useTranslation('compliance');
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [filters]);
  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };
  const decisions = filters.kind !== 'security.refusal';
  const refusals = filters.kind !== 'decision';
  return (
    <Paper withBorder p="sm" component="form" onSubmit={submit} aria-label={t('filters.title')}>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm" verticalSpacing="xs">
        <TextInput
          label={t('filters.participant')}
          placeholder={t('filters.participantHint')}
          value={draft.participant}
          onChange={(e) => set('participant', e.currentTarget.value)}
          name="participant"
        />
        <TextInput
          label={t('filters.dataset')}
          placeholder="battery.cfp"
          value={draft.dataset}
          onChange={(e) => set('dataset', e.currentTarget.value)}
          name="dataset"
        />
        {decisions && (
          <Autocomplete
            label={t('filters.action')}
            data={ACTIONS}
            value={draft.action}
            onChange={(v) => set('action', v)}
            name="action"
          />
        )}
        {decisions && (
          <Select
            label={t('filters.decision')}
            data={[
              { value: '', label: t('filters.any') },
              { value: 'allow', label: t('result.allow') },
              { value: 'deny', label: t('result.deny') },
            ]}
            value={draft.decision}
            onChange={(v) => {
              const next = { ...draft, decision: v ?? '' };
              setDraft(next);
              onApply(next);
            }}
            allowDeselect={false}
            name="decision"
          />
        )}
        {decisions && (
          <TextInput
            label={t('filters.rule')}
            placeholder="PURPOSE.NOT_ALLOWED"
            value={draft.rule}
            onChange={(e) => set('rule', e.currentTarget.value)}
            name="rule"
          />
        )}
        {decisions && (
          <TextInput
            label={t('filters.revision')}
            placeholder="rego-…"
            value={draft.revision}
            onChange={(e) => set('revision', e.currentTarget.value)}
            name="revision"
          />
        )}
        {refusals && (
          <Autocomplete
            label={t('filters.code')}
            data={CODES}
            value={draft.code}
            onChange={(v) => set('code', v)}
            name="code"
          />
        )}
        <TextInput
          type="datetime-local"
          label={t('filters.from')}
          value={toLocalInput(draft.from)}
          onChange={(e) => set('from', fromLocalInput(e.currentTarget.value))}
          name="from"
        />
        <TextInput
          type="datetime-local"
          label={t('filters.to')}
          value={toLocalInput(draft.to)}
          onChange={(e) => set('to', fromLocalInput(e.currentTarget.value))}
          name="to"
        />
      </SimpleGrid>
      <Group mt="sm" gap="xs">
        <Button type="submit" leftSection={<IconFilter size={16} aria-hidden />} data-testid="apply-filters">
          {t('filters.apply')}
        </Button>
        <Button
          variant="subtle"
          leftSection={<IconFilterOff size={16} aria-hidden />}
          onClick={() => onApply({ ...readFilters(new URLSearchParams()), kind: filters.kind })}
        >
          {t('filters.clear')}
        </Button>
      </Group>
    </Paper>
  );
}

export default function DecisionsPage() {
  const { t } = useTranslation('compliance');
  const [params, setParams] = useSearchParams();
  // Keyed on the filters only: opening an entry changes the URL but not what the table lists.
  const filterKey = writeFilters(readFilters(params)).toString();
  const filters = useMemo(() => readFilters(new URLSearchParams(filterKey)), [filterKey]);
  const query = useMemo(() => apiQuery(filters), [filters]);
  const entry = Number(params.get('entry')) || null;
  const queryClient = useQueryClient();

  const apply = useCallback((f: Filters) => setParams(writeFilters(f, params)), [params, setParams]);
  const open = useCallback(
    (seq: number | null) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        if (seq === null) next.delete('entry');
        else next.set('entry', String(seq));
        return next;
      }),
    [setParams],
  );

  return (
    <>
      <PageHeader
        title={t('explorer.title')}
        description={t('explorer.description')}
        actions={<ExportButtons query={query} />}
      />
      <Stack gap="sm">
        <Group justify="space-between">
          <Stack gap={2}>
            <VisuallyHidden id="kind-label">{t('explorer.kind')}</VisuallyHidden>
            <SegmentedControl
              aria-labelledby="kind-label"
              value={filters.kind}
              onChange={(v) => apply({ ...filters, kind: v })}
              data={[
                { value: 'decision', label: t('explorer.kinds.decision') },
                { value: 'security.refusal', label: t('explorer.kinds.refusal') },
                { value: 'all', label: t('explorer.kinds.all') },
              ]}
              data-testid="kind-switch"
            />
          </Stack>
          <Button
            variant="subtle"
            leftSection={<IconRefresh size={16} aria-hidden />}
            onClick={() => void queryClient.resetQueries({ queryKey: ['compliance', 'entries'] })}
          >
            {t('explorer.refresh')}
          </Button>
        </Group>
        <FilterForm filters={filters} onApply={apply} />
        <EntryTable query={query} showKind={filters.kind === 'all'} onOpen={open} />
      </Stack>
      <EntryDrawer seq={entry} onClose={() => open(null)} />
    </>
  );
}
