/** Catalog search: the datasets this participant may discover, with filters and pages. */
import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { ContractStatusBadge, ParticipantId, seg, useMe } from './common';
import { RequestAccessButton } from './RequestAccess';
import { domains, fieldTags, type CatalogPage as Page } from './types';

const PAGE = 20;

export function CatalogPage() {
  const { t } = useTranslation();
  const api = useApi();
  const me = useMe();
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q, 250);
  const [domain, setDomain] = useState<string | null>(null);
  const [tag, setTag] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [purpose, setPurpose] = useState('');
  const [mine, setMine] = useState(false);
  // The cursors of the pages before this one: Previous pops, Next pushes.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const filters = { q: debounced, domain, tag, status, purpose: purpose.trim(), owner: mine ? me : null };
  const resetPages = () => setCursors([null]);
  const page = useQuery({
    queryKey: ['steward', 'catalog', filters, cursor],
    queryFn: ({ signal }) =>
      api.get<Page>('registry', '/catalog', { query: { ...filters, limit: PAGE, cursor }, signal }),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageHeader title={t('steward:catalog.title')} description={t('steward:catalog.description')} />
      <Paper withBorder p="md" mb="md" component="form" role="search" onSubmit={(e) => e.preventDefault()}>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
          <TextInput
            label={t('steward:catalog.search')}
            placeholder={t('steward:catalog.searchPlaceholder')}
            leftSection={<IconSearch size={16} />}
            value={q}
            onChange={(e) => {
              setQ(e.currentTarget.value);
              resetPages();
            }}
            data-testid="catalog-search"
          />
          <Select
            label={t('steward:catalog.domain')}
            placeholder={t('steward:catalog.any')}
            data={domains.map((d) => ({ value: d, label: t(`steward:domain.${d}`) }))}
            value={domain}
            onChange={(v) => {
              setDomain(v);
              resetPages();
            }}
            clearable
          />
          <Select
            label={t('steward:catalog.tag')}
            placeholder={t('steward:catalog.any')}
            data={fieldTags.map((d) => ({ value: d, label: t(`steward:tag.${d}`) }))}
            value={tag}
            onChange={(v) => {
              setTag(v);
              resetPages();
            }}
            clearable
          />
          <TextInput
            label={t('steward:catalog.purpose')}
            placeholder={t('steward:catalog.purposePlaceholder')}
            value={purpose}
            onChange={(e) => {
              setPurpose(e.currentTarget.value);
              resetPages();
            }}
          />
          <Select
            label={t('steward:catalog.status')}
            placeholder={t('steward:catalog.any')}
            data={['active', 'deprecated'].map((s) => ({
              value: s,
              label: t(`steward:contractStatus.${s}`),
            }))}
            value={status}
            onChange={(v) => {
              setStatus(v);
              resetPages();
            }}
            clearable
          />
          <Checkbox
            mt={{ base: 0, sm: 'xl' }}
            label={t('steward:catalog.mine')}
            checked={mine}
            onChange={(e) => {
              setMine(e.currentTarget.checked);
              resetPages();
            }}
          />
        </SimpleGrid>
      </Paper>
      <ProblemAlert error={page.error} />
      {page.isPending ? (
        <Stack>
          <Skeleton h={28} />
          <Skeleton h={28} />
          <Skeleton h={28} />
        </Stack>
      ) : page.data && page.data.items.length === 0 ? (
        <Text c="dimmed" data-testid="catalog-empty">
          {t('steward:catalog.empty')}
        </Text>
      ) : (
        page.data && (
          <Table.ScrollContainer minWidth={800}>
            <Table striped highlightOnHover data-testid="catalog-table">
              <caption style={{ captionSide: 'top', textAlign: 'left' }}>
                <Text size="sm" c="dimmed" span>
                  {t('steward:catalog.caption', { count: page.data.items.length })}
                </Text>
              </caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('steward:catalog.dataset')}</Table.Th>
                  <Table.Th scope="col">{t('steward:catalog.version')}</Table.Th>
                  <Table.Th scope="col">{t('steward:catalog.domain')}</Table.Th>
                  <Table.Th scope="col">{t('steward:catalog.purposes')}</Table.Th>
                  <Table.Th scope="col">{t('steward:catalog.owner')}</Table.Th>
                  <Table.Th scope="col">{t('steward:catalog.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.data.items.map((entry) => (
                  <Table.Tr key={entry.dataset} data-testid={`catalog-row-${entry.dataset}`}>
                    <Table.Td>
                      <Anchor component={Link} to={`/steward/contracts/${seg(entry.dataset)}`} fw={600}>
                        {entry.dataset}
                      </Anchor>
                      <Text size="sm">{entry.title}</Text>
                      {entry.description && (
                        <Text size="xs" c="dimmed" lineClamp={2}>
                          {entry.description}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        <Text size="sm">{entry.version}</Text>
                        <ContractStatusBadge status={entry.status} />
                      </Group>
                    </Table.Td>
                    <Table.Td>{t(`steward:domain.${entry.domain}`)}</Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {entry.purposes.map((p) => (
                          <Badge key={p} variant="outline" size="sm" tt="none">
                            {p}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <ParticipantId id={entry.owner} />
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        {entry.owner === me ? (
                          <Button
                            size="xs"
                            variant="subtle"
                            component={Link}
                            to={`/steward/publish?dataset=${seg(entry.dataset)}`}
                          >
                            {t('steward:catalog.testPublish')}
                          </Button>
                        ) : (
                          <RequestAccessButton entry={entry} />
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )
      )}
      <Group justify="space-between" mt="md">
        <Button
          variant="default"
          disabled={cursors.length <= 1}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          {t('steward:catalog.previous')}
        </Button>
        <Text size="sm" c="dimmed">
          {t('steward:catalog.page', { page: cursors.length })}
        </Text>
        <Button
          variant="default"
          disabled={!page.data?.nextCursor}
          onClick={() => page.data?.nextCursor && setCursors((c) => [...c, page.data.nextCursor])}
        >
          {t('steward:catalog.next')}
        </Button>
      </Group>
    </>
  );
}
