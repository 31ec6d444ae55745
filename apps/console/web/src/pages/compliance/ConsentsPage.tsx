/**
 * Persons' consents across originators (GET /audit/person-consents): counts per originator, dataset and
 * decision, and the records newest first. Of a person it shows the pseudonymous subject reference only;
 * the API sends nothing else about them (no FHIR ids, no provision contents).
 */
import {
  Badge,
  Button,
  Code,
  Group,
  Loader,
  Paper,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconFilter, IconLock } from '@tabler/icons-react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import type { ConsentDecision, ConsentOverview } from './api';

const srOnly = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
} as const;

function DecisionBadge({ decision }: { decision: ConsentDecision }) {
  const { t } = useTranslation('compliance');
  const color = decision === 'permit' ? 'teal.9' : decision === 'deny' ? 'red.9' : 'gray.8';
  return (
    <Badge color={color} variant="outline">
      {t(`consents.decisions.${decision}`)}
    </Badge>
  );
}

export default function ConsentsPage() {
  const { t } = useTranslation('compliance');
  const fmt = useFormat();
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(
    () => ({
      originator: params.get('originator') ?? '',
      dataset: params.get('dataset') ?? '',
      state: params.get('state') ?? '',
    }),
    [params],
  );
  const [draft, setDraft] = useState(filters);
  const overview = useInfiniteQuery({
    queryKey: ['compliance', 'consents', filters],
    queryFn: ({ pageParam }) =>
      api.get<ConsentOverview>('clearing', '/audit/person-consents', {
        query: { ...filters, after: pageParam, limit: 200 },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const first = overview.data?.pages[0];
  const items = overview.data?.pages.flatMap((p) => p.items) ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries(draft)) if (v.trim()) next.set(k, v.trim());
    setParams(next);
  };

  return (
    <>
      <PageHeader title={t('consents.title')} description={t('consents.description')} />
      <Stack gap="md">
        <Group gap="xs">
          <IconLock size={16} aria-hidden />
          <Text size="sm">{t('consents.privacy')}</Text>
        </Group>
        <Paper withBorder p="sm" component="form" onSubmit={submit} aria-label={t('filters.title')}>
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <TextInput
              label={t('consents.originator')}
              value={draft.originator}
              onChange={(e) => setDraft({ ...draft, originator: e.currentTarget.value })}
            />
            <TextInput
              label={t('consents.dataset')}
              value={draft.dataset}
              onChange={(e) => setDraft({ ...draft, dataset: e.currentTarget.value })}
            />
            <Select
              label={t('consents.state')}
              value={draft.state}
              allowDeselect={false}
              onChange={(v) => setDraft({ ...draft, state: v ?? '' })}
              data={[
                { value: '', label: t('filters.any') },
                { value: 'permit', label: t('consents.decisions.permit') },
                { value: 'deny', label: t('consents.decisions.deny') },
                { value: 'withdrawn', label: t('consents.decisions.withdrawn') },
              ]}
            />
          </SimpleGrid>
          <Button type="submit" mt="sm" leftSection={<IconFilter size={16} aria-hidden />}>
            {t('filters.apply')}
          </Button>
        </Paper>
        {overview.isPending && <Loader aria-label={t('entries.loading')} />}
        {overview.error && <ProblemAlert error={overview.error} />}
        {first && (
          <>
            <Title order={2} size="h4">
              {t('consents.counts')} <Badge variant="outline">{fmt.number(first.total)}</Badge>
            </Title>
            <ScrollArea type="auto">
              <Table striped data-testid="consent-counts">
                <caption style={srOnly}>{t('consents.counts')}</caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('consents.originator')}</Table.Th>
                    <Table.Th scope="col">{t('consents.dataset')}</Table.Th>
                    <Table.Th scope="col">{t('consents.state')}</Table.Th>
                    <Table.Th scope="col" ta="right">
                      {t('consents.count')}
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {first.counts.map((c) => (
                    <Table.Tr key={`${c.originator}|${c.dataset}|${c.decision}`}>
                      <Table.Td>{c.originatorName ?? <Code>{c.originator}</Code>}</Table.Td>
                      <Table.Td>{c.dataset}</Table.Td>
                      <Table.Td>
                        <DecisionBadge decision={c.decision} />
                      </Table.Td>
                      <Table.Td ta="right">{fmt.number(c.count)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea>
            <Title order={2} size="h4">
              {t('consents.records')}
            </Title>
            {items.length === 0 ? (
              <Text size="sm">{t('consents.none')}</Text>
            ) : (
              <ScrollArea type="auto">
                <Table striped data-testid="consent-records" miw={900}>
                  <caption style={srOnly}>{t('consents.records')}</caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('consents.subject')}</Table.Th>
                      <Table.Th scope="col">{t('consents.originator')}</Table.Th>
                      <Table.Th scope="col">{t('consents.dataset')}</Table.Th>
                      <Table.Th scope="col">{t('consents.state')}</Table.Th>
                      <Table.Th scope="col">{t('consents.source')}</Table.Th>
                      <Table.Th scope="col">{t('consents.validity')}</Table.Th>
                      <Table.Th scope="col">{t('consents.inForce')}</Table.Th>
                      <Table.Th scope="col">{t('consents.recordedAt')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.map((r, i) => (
                      <Table.Tr key={`${r.originator}|${r.subjectRef}|${r.dataset}|${r.recordedAt}|${i}`}>
                        <Table.Td>
                          <Code data-testid="subject-ref">{r.subjectRef}</Code>
                        </Table.Td>
                        <Table.Td>{r.originatorName ?? <Code>{r.originator}</Code>}</Table.Td>
                        <Table.Td>{r.dataset === '*' ? t('consents.allDatasets') : r.dataset}</Table.Td>
                        <Table.Td>
                          <DecisionBadge decision={r.decision} />
                          {r.provisions > 0 && (
                            <Text size="xs">{t('consents.provisions', { count: r.provisions })}</Text>
                          )}
                        </Table.Td>
                        <Table.Td>{t(`consents.sources.${r.source}`)}</Table.Td>
                        <Table.Td>
                          {fmt.dateTime(r.validFrom)} – {fmt.dateTime(r.validUntil)}
                        </Table.Td>
                        <Table.Td>{r.inForce ? t('consents.yes') : t('consents.no')}</Table.Td>
                        <Table.Td>{fmt.dateTime(r.recordedAt)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollArea>
            )}
            {overview.hasNextPage && (
              <Button
                variant="default"
                onClick={() => void overview.fetchNextPage()}
                loading={overview.isFetchingNextPage}
              >
                {t('consents.more')}
              </Button>
            )}
          </>
        )}
      </Stack>
    </>
  );
}
