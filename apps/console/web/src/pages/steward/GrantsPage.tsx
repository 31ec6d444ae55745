/**
 * The grants inbox: requests for this participant's datasets first, then the grants it holds as a
 * consumer. Every move asks why; a refusal shows the policy's rule and explanation.
 */
import {
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Modal,
  SegmentedControl,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Tabs,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import { GrantStateBadge, ParticipantId, ReasonAction, seg, Term } from './common';
import { fieldNames } from './RequestAccess';
import type { ContractView, Grant, GrantState } from './types';

const order: Record<GrantState, number> = {
  requested: 0,
  granted: 1,
  suspended: 2,
  revoked: 3,
  rejected: 4,
  expired: 5,
};
const byUrgency = (a: Grant, b: Grant) =>
  order[a.state] - order[b.state] || b.updatedAt.localeCompare(a.updatedAt);

export function GrantsPage() {
  const { t } = useTranslation();
  const api = useApi();
  const [tab, setTab] = useState<string | null>('inbox');
  const [state, setState] = useState<string | null>(null);
  const inbox = useQuery({
    queryKey: ['steward', 'grants', 'originator', state],
    queryFn: ({ signal }) =>
      api.get<Grant[]>('clearing', '/grants', { query: { role: 'originator', state }, signal }),
  });
  const mine = useQuery({
    queryKey: ['steward', 'grants', 'consumer', state],
    queryFn: ({ signal }) =>
      api.get<Grant[]>('clearing', '/grants', { query: { role: 'consumer', state }, signal }),
  });
  const datasets = useMemo(
    () => [...new Set([...(inbox.data ?? []), ...(mine.data ?? [])].map((g) => g.dataset))],
    [inbox.data, mine.data],
  );
  // The contract's own terms (retention, residency, fields) next to the grant's.
  const contracts = useQueries({
    queries: datasets.map((d) => ({
      queryKey: ['steward', 'contract', d],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api.get<ContractView>('registry', `/contracts/${seg(d)}`, { signal }),
      retry: false,
      staleTime: 60_000,
    })),
  });
  const contractOf = (d: string) => contracts[datasets.indexOf(d)]?.data;
  const waiting = (inbox.data ?? []).filter((g) => g.state === 'requested').length;

  return (
    <>
      <PageHeader title={t('steward:grants.title')} description={t('steward:grants.description')} />
      <Group mb="md">
        <Select
          label={t('steward:grants.filterState')}
          placeholder={t('steward:catalog.any')}
          data={Object.keys(order).map((s) => ({ value: s, label: t(`steward:grantState.${s}`) }))}
          value={state}
          onChange={setState}
          clearable
        />
      </Group>
      <Tabs value={tab} onChange={setTab}>
        <Tabs.List>
          <Tabs.Tab value="inbox" data-testid="tab-inbox">
            {t('steward:grants.inbox')}{' '}
            {waiting > 0 && (
              <Badge size="sm" color="dark" variant="outline">
                {t('steward:grants.waiting', { count: waiting })}
              </Badge>
            )}
          </Tabs.Tab>
          <Tabs.Tab value="mine" data-testid="tab-mine">
            {t('steward:grants.mine')}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="inbox" pt="md">
          <GrantList
            query={inbox}
            side="originator"
            contractOf={contractOf}
            empty={t('steward:grants.emptyInbox')}
          />
        </Tabs.Panel>
        <Tabs.Panel value="mine" pt="md">
          <GrantList
            query={mine}
            side="consumer"
            contractOf={contractOf}
            empty={t('steward:grants.emptyMine')}
          />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

function GrantList({
  query,
  side,
  contractOf,
  empty,
}: {
  query: { data?: Grant[]; error: unknown; isPending: boolean };
  side: 'originator' | 'consumer';
  contractOf: (dataset: string) => ContractView | undefined;
  empty: string;
}) {
  if (query.error) return <ProblemAlert error={query.error} />;
  if (query.isPending) return <Skeleton h={160} />;
  const grants = [...(query.data ?? [])].sort(byUrgency);
  if (grants.length === 0) return <Text c="dimmed">{empty}</Text>;
  return (
    <Stack>
      {grants.map((g) => (
        <GrantCard key={g.id} grant={g} side={side} contract={contractOf(g.dataset)} />
      ))}
    </Stack>
  );
}

function GrantCard({
  grant: g,
  side,
  contract,
}: {
  grant: Grant;
  side: 'originator' | 'consumer';
  contract: ContractView | undefined;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  const client = useQueryClient();
  const act = (move: string) => async (reason: string | null) => {
    await api.post<Grant>('clearing', `/grants/${seg(g.id)}/${move}`, { reason });
    await client.invalidateQueries({ queryKey: ['steward', 'grants'] });
  };
  const all = contract ? fieldNames(contract) : [];
  const withheld = g.fields ? all.filter((n) => !g.fields!.includes(n)) : [];
  const history = (h: string | null) =>
    h === null
      ? t('steward:grants.historyNone')
      : h === 'all'
        ? t('steward:grants.historyAll')
        : f.dateTime(h);
  const titleId = `grant-${g.id}`;
  return (
    <Card withBorder data-testid={`grant-${g.id}`} aria-labelledby={titleId} component="article">
      <Group justify="space-between" align="flex-start" mb="xs">
        <Stack gap={2}>
          <Title order={2} size="h4" id={titleId}>
            <Anchor component={Link} to={`/steward/contracts/${seg(g.dataset)}`}>
              {g.dataset}
            </Anchor>{' '}
            <Text span c="dimmed" fz="sm">
              {t('steward:grants.for')}
            </Text>{' '}
            <Code fz="sm">{g.purpose}</Code>
          </Title>
          <Text size="sm">
            {side === 'originator' ? t('steward:grants.consumer') : t('steward:grants.originator')}{' '}
            <ParticipantId id={side === 'originator' ? g.consumer : g.originator} /> ·{' '}
            {t('steward:grants.asked', { at: f.dateTime(g.createdAt) })}
          </Text>
        </Stack>
        <GrantStateBadge state={g.state} />
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
        <Stack gap={4} component="dl" m={0}>
          <Term term={t('steward:grants.fields')}>
            {g.fields ? g.fields.join(', ') : t('steward:grants.allFields')}
          </Term>
          <Term term={t('steward:grants.withheld')}>
            {withheld.length ? withheld.join(', ') : t('steward:grants.none')}
          </Term>
          <Term term={t('steward:grants.validity')}>
            {f.dateTime(g.validFrom)} → {g.validUntil ? f.dateTime(g.validUntil) : t('steward:grants.open')}
          </Term>
          <Term term={t('steward:grants.historyAsked')}>{history(g.historyRequested)}</Term>
          {g.state !== 'requested' && (
            <Term term={t('steward:grants.historyGranted')}>{history(g.historyFrom)}</Term>
          )}
        </Stack>
        <Stack gap={4} component="dl" m={0}>
          <Term term={t('steward:grants.deletion')}>
            {t('steward:terms.days', { count: g.deletionDays })}
          </Term>
          <Term term={t('steward:grants.onward')}>
            {g.onwardTransfer ? t('steward:grants.yes') : t('steward:grants.no')}
          </Term>
          <Term term={t('steward:terms.retention')}>
            {contract?.retentionDays == null
              ? t('steward:terms.noLimit')
              : t('steward:terms.days', { count: contract.retentionDays })}
          </Term>
          <Term term={t('steward:terms.residency')}>
            {contract?.residency ?? t('steward:terms.anywhere')}
          </Term>
          <Term term={t('steward:grants.allowedPurposes')}>{contract?.purposes.join(', ') ?? '—'}</Term>
        </Stack>
      </SimpleGrid>
      <Group gap="xs" mt="sm" data-testid="grant-actions">
        {side === 'originator' && g.state === 'requested' && (
          <>
            <ApproveAction grant={g} />
            <ReasonAction
              label={t('steward:grants.reject')}
              title={t('steward:grants.rejectTitle', { dataset: g.dataset })}
              color="red"
              onConfirm={act('reject')}
              testId="reject"
            />
          </>
        )}
        {side === 'originator' && g.state === 'granted' && (
          <ReasonAction
            label={t('steward:grants.suspend')}
            title={t('steward:grants.suspendTitle', { dataset: g.dataset })}
            description={t('steward:grants.suspendHelp')}
            color="red"
            onConfirm={act('suspend')}
            testId="suspend"
          />
        )}
        {side === 'originator' && g.state === 'suspended' && (
          <ReasonAction
            label={t('steward:grants.resume')}
            title={t('steward:grants.resumeTitle', { dataset: g.dataset })}
            onConfirm={act('resume')}
            testId="resume"
          />
        )}
        {(g.state === 'granted' || g.state === 'suspended') && (
          <ReasonAction
            label={side === 'originator' ? t('steward:grants.revoke') : t('steward:grants.giveUp')}
            title={t('steward:grants.revokeTitle', { dataset: g.dataset })}
            description={t('steward:grants.revokeHelp')}
            color="red"
            reasonRequired={side === 'originator'}
            onConfirm={act('revoke')}
            testId="revoke"
          />
        )}
        {side === 'consumer' && g.state === 'granted' && (
          <Button
            size="xs"
            variant="light"
            component={Link}
            to={`/steward/tail?grant=${seg(g.id)}`}
            data-testid="open-tail"
          >
            {t('steward:grants.openTail')}
          </Button>
        )}
      </Group>
    </Card>
  );
}

/** Approve, with a reason and how much of the past the consumer may read. */
function ApproveAction({ grant: g }: { grant: Grant }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [opened, { open, close }] = useDisclosure(false);
  const [reason, setReason] = useState('');
  const [history, setHistory] = useState('asked');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const approve = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post<Grant>('clearing', `/grants/${seg(g.id)}/approve`, {
        reason: reason.trim() || null,
        ...(history === 'all' ? { historyFrom: 'all' } : {}),
        ...(history === 'now' ? { historyFrom: new Date().toISOString() } : {}),
      });
      await client.invalidateQueries({ queryKey: ['steward', 'grants'] });
      close();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button size="xs" onClick={open} data-testid="approve">
        {t('steward:grants.approve')}
      </Button>
      <Modal
        opened={opened}
        onClose={close}
        title={t('steward:grants.approveTitle', { dataset: g.dataset })}
        closeButtonProps={{ 'aria-label': t('steward:close') }}
      >
        <Stack>
          <Text size="sm">{t('steward:grants.approveHelp', { purpose: g.purpose })}</Text>
          <div>
            <Text size="sm" fw={500} id={`approve-history-${g.id}`}>
              {t('steward:grants.approveHistory')}
            </Text>
            <SegmentedControl
              aria-labelledby={`approve-history-${g.id}`}
              value={history}
              onChange={setHistory}
              data={[
                { value: 'asked', label: t('steward:grants.historyAsAsked') },
                { value: 'now', label: t('steward:grants.historyFromNow') },
                { value: 'all', label: t('steward:grants.historyAll') },
              ]}
            />
          </div>
          <Textarea
            label={t('steward:reason.label')}
            description={t('steward:reason.help')}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            autosize
            minRows={2}
            maxLength={500}
            data-testid="reason"
          />
          <ProblemAlert error={error} title={t('steward:grants.approveRefused')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('steward:cancel')}
            </Button>
            <Button loading={busy} onClick={() => void approve()} data-testid="confirm">
              {t('steward:grants.approve')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
