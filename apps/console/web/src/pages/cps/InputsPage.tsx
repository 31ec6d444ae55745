/**
 * The twin's inputs: each dataset the CPS service follows, with its grant, events applied and stream
 * position; a form to follow another dataset (the service asks for a grant through clearing like any
 * member, and a refusal says why); and the twin built from them, with a rebuild.
 */
import {
  Alert,
  Autocomplete,
  Button,
  Card,
  Code,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconRefresh, IconRotate } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { alertStyles, errorContrast } from './contrast';
import { useFormat } from '../../format';
import {
  keys,
  SIM,
  useCatalog,
  useInputs,
  useInvalidateCps,
  useTwin,
  type Rebuild,
  type SimInput,
} from './api';
import { InputState } from './Status';

export function InputsPage() {
  const { t } = useTranslation();
  const inputs = useInputs();
  return (
    <>
      <PageHeader
        title={t('cps:inputs.title')}
        description={t('cps:inputs.description')}
        actions={
          <Button
            variant="default"
            leftSection={<IconRefresh size={16} />}
            onClick={() => void inputs.refetch()}
            loading={inputs.isFetching}
          >
            {t('cps:refresh')}
          </Button>
        }
      />
      <Stack gap="lg">
        <TwinCard />
        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            {t('cps:inputs.followed')}
          </Title>
          <ProblemAlert error={inputs.error} />
          {inputs.isPending ? (
            <Loader size="sm" aria-label={t('cps:loading')} />
          ) : inputs.data && inputs.data.length === 0 ? (
            <Text c="dimmed">{t('cps:inputs.none')}</Text>
          ) : inputs.data ? (
            <InputsTable inputs={inputs.data} />
          ) : null}
        </Card>
        <FollowForm />
      </Stack>
    </>
  );
}

function InputsTable({ inputs }: { inputs: SimInput[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Table data-testid="inputs">
      <Table.Caption>{t('cps:inputs.caption')}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">{t('cps:inputs.dataset')}</Table.Th>
          <Table.Th scope="col">{t('cps:inputs.purpose')}</Table.Th>
          <Table.Th scope="col">{t('cps:inputs.grant')}</Table.Th>
          <Table.Th scope="col">{t('cps:inputs.state')}</Table.Th>
          <Table.Th scope="col">{t('cps:inputs.events')}</Table.Th>
          <Table.Th scope="col">{t('cps:inputs.position')}</Table.Th>
          <Table.Th scope="col">{t('cps:inputs.versions')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {inputs.map((i) => (
          <Table.Tr key={i.dataset} data-dataset={i.dataset}>
            <Table.Th scope="row" fw={500}>
              {i.dataset}
              {i.lastError && (
                <Text size="xs" c="red.8">
                  {i.lastError}
                </Text>
              )}
            </Table.Th>
            <Table.Td>{i.purpose ?? '—'}</Table.Td>
            <Table.Td>
              {i.grant ? (
                <>
                  {t(`cps:grantState.${i.grant.state}`, { defaultValue: i.grant.state })}
                  <Text size="xs" c="dimmed">
                    <Code>{i.grant.id.slice(0, 8)}</Code>
                  </Text>
                </>
              ) : (
                '—'
              )}
            </Table.Td>
            <Table.Td>
              <InputState state={i.state} />
            </Table.Td>
            <Table.Td data-testid="events-applied">{format.number(i.eventsApplied)}</Table.Td>
            <Table.Td>
              {Object.keys(i.positions).length === 0
                ? '—'
                : Object.entries(i.positions)
                    .sort(([a], [b]) => Number(a) - Number(b))
                    .map(([partition, offset]) => (
                      <Text size="xs" key={partition}>
                        {t('cps:inputs.partition', { partition, offset })}
                      </Text>
                    ))}
            </Table.Td>
            <Table.Td>{i.contractVersions.join(', ') || '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function FollowForm() {
  const { t } = useTranslation();
  const api = useApi();
  const invalidate = useInvalidateCps();
  const catalog = useCatalog();
  const [dataset, setDataset] = useState('');
  const [purpose, setPurpose] = useState('');
  const [missing, setMissing] = useState<{ dataset?: string; purpose?: string }>({});
  const follow = useMutation({
    mutationFn: (body: { dataset: string; purpose: string }) => api.post<SimInput>(SIM, '/inputs', body),
    onSuccess: () => invalidate(keys.inputs),
  });
  const entry = catalog.data?.items.find((c) => c.dataset === dataset.trim());
  const datasets = useMemo(
    () => [...new Set(catalog.data?.items.map((c) => c.dataset) ?? [])].sort(),
    [catalog.data],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body = { dataset: dataset.trim(), purpose: purpose.trim() };
    const m = {
      dataset: body.dataset ? undefined : t('cps:follow.required'),
      purpose: body.purpose ? undefined : t('cps:follow.required'),
    };
    setMissing(m);
    if (m.dataset || m.purpose) return;
    follow.mutate(body);
  };
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">
        {t('cps:follow.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('cps:follow.description')}
      </Text>
      <form onSubmit={submit} noValidate aria-label={t('cps:follow.title')} style={errorContrast}>
        <Group align="flex-start">
          <Autocomplete
            label={t('cps:follow.dataset')}
            description={t('cps:follow.datasetHelp')}
            required
            data={datasets}
            value={dataset}
            onChange={setDataset}
            error={missing.dataset}
            w={300}
            data-testid="follow-dataset"
          />
          <Autocomplete
            label={t('cps:follow.purpose')}
            description={
              entry
                ? t('cps:follow.offered', { purposes: entry.purposes.join(', ') })
                : t('cps:follow.purposeHelp')
            }
            required
            data={entry?.purposes ?? []}
            value={purpose}
            onChange={setPurpose}
            error={missing.purpose}
            w={300}
            data-testid="follow-purpose"
          />
          <Button type="submit" mt={50} loading={follow.isPending} data-testid="follow">
            {t('cps:follow.submit')}
          </Button>
        </Group>
      </form>
      <ProblemAlert error={follow.error} title={t('cps:follow.refused')} />
      {follow.data && (
        <Alert styles={alertStyles} color="teal" mt="sm" data-testid="followed">
          {t('cps:follow.requested', {
            dataset: follow.data.dataset,
            state: t(`cps:inputState.${follow.data.state}`, { defaultValue: follow.data.state }),
          })}
        </Alert>
      )}
    </Card>
  );
}

function TwinCard() {
  const { t } = useTranslation();
  const format = useFormat();
  const api = useApi();
  const invalidate = useInvalidateCps();
  const twin = useTwin();
  const rebuild = useMutation({
    mutationFn: () => api.post<Rebuild>(SIM, '/twin/rebuild'),
    onSuccess: () => invalidate(keys.twin),
  });
  const d = twin.data;
  return (
    <Card withBorder data-testid="twin">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          {t('cps:twin.title')}
        </Title>
        <Button
          variant="default"
          size="xs"
          leftSection={<IconRotate size={14} />}
          onClick={() => rebuild.mutate()}
          loading={rebuild.isPending}
          disabled={!d}
          data-testid="rebuild"
        >
          {t('cps:twin.rebuild')}
        </Button>
      </Group>
      <ProblemAlert error={twin.error} />
      {d && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 4 }} mb="sm">
            {(['facilities', 'bom', 'links', 'hospitals'] as const).map((k) => (
              <div key={k}>
                <Text size="xs" c="dimmed">
                  {t(`cps:twin.${k}`)}
                </Text>
                <Text fw={700} size="xl" data-testid={`twin-${k}`}>
                  {format.number(d.counts[k])}
                </Text>
              </div>
            ))}
          </SimpleGrid>
          <Text size="sm">
            {t('cps:twin.digest')} <Code data-testid="twin-digest">{d.digest.slice(0, 16)}…</Code> ·{' '}
            {t('cps:twin.asOf', { at: format.dateTime(d.asOf) })} ·{' '}
            {t('cps:twin.built', {
              events: format.number(d.inputs.reduce((n, i) => n + i.events, 0)),
              inputs: d.inputs.length,
            })}
          </Text>
        </>
      )}
      <ProblemAlert error={rebuild.error} title={t('cps:twin.rebuildRefused')} />
      {rebuild.data && (
        <Alert
          styles={alertStyles}
          mt="sm"
          color={rebuild.data.identical ? 'teal' : 'yellow'}
          data-testid="rebuilt"
          title={rebuild.data.identical ? t('cps:twin.identical') : t('cps:twin.changed')}
        >
          {t('cps:twin.rebuilt', {
            events: format.number(rebuild.data.events),
            before: rebuild.data.before.slice(0, 12),
            after: rebuild.data.after.slice(0, 12),
          })}
        </Alert>
      )}
    </Card>
  );
}
