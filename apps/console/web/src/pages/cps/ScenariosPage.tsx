/** Scenarios defined on the twin, each runnable, and the runs made so far. */
import { Alert, Anchor, Button, Card, Code, Loader, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { IconPlayerPlay, IconPlus } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { alertStyles } from './contrast';
import { useFormat } from '../../format';
import { keys, SIM, useInvalidateCps, useRuns, useScenarios, type Scenario, type Started } from './api';
import { RunState } from './Status';

/** The parameters in one line (the run page shows them in full). */
export function paramsLine(params: Record<string, unknown>): string {
  const json = JSON.stringify(params);
  return json.length > 90 ? `${json.slice(0, 89)}…` : json;
}

export function ScenariosPage() {
  const { t } = useTranslation();
  const api = useApi();
  const format = useFormat();
  const navigate = useNavigate();
  const invalidate = useInvalidateCps();
  const [search] = useSearchParams();
  const defined = search.get('defined');
  const scenarios = useScenarios();
  const runs = useRuns();
  const [starting, setStarting] = useState<string>();

  const run = useMutation({
    mutationFn: (scenario: Scenario) => {
      setStarting(scenario.id);
      return api.post<Started>(SIM, `/scenarios/${encodeURIComponent(scenario.id)}/runs`, {});
    },
    onSuccess: async (started) => {
      await invalidate(keys.runs);
      void navigate(`/cps/runs/${started.runId}`);
    },
    onSettled: () => setStarting(undefined),
  });

  const definedName = scenarios.data?.find((s) => s.id === defined)?.name;
  return (
    <>
      <PageHeader
        title={t('cps:scenarios.title')}
        description={t('cps:scenarios.description')}
        actions={
          <Button component={Link} to="/cps/scenarios/new" leftSection={<IconPlus size={16} />}>
            {t('cps:scenarios.define')}
          </Button>
        }
      />
      {definedName && (
        <Alert styles={alertStyles} color="teal" mb="md" data-testid="scenario-defined">
          {t('cps:scenarios.defined', { name: definedName })}
        </Alert>
      )}
      <ProblemAlert error={scenarios.error} />
      <ProblemAlert error={run.error} title={t('cps:scenarios.runRefused')} />
      <Card withBorder mb="lg">
        {scenarios.isPending ? (
          <Loader size="sm" aria-label={t('cps:loading')} />
        ) : scenarios.data && scenarios.data.length === 0 ? (
          <Text c="dimmed">{t('cps:scenarios.none')}</Text>
        ) : (
          <Table data-testid="scenarios" highlightOnHover>
            <Table.Caption>{t('cps:scenarios.caption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('cps:scenarios.name')}</Table.Th>
                <Table.Th scope="col">{t('cps:scenarios.kind')}</Table.Th>
                <Table.Th scope="col">{t('cps:scenarios.params')}</Table.Th>
                <Table.Th scope="col">{t('cps:scenarios.created')}</Table.Th>
                <Table.Th scope="col">
                  <VisuallyHidden>{t('cps:scenarios.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {scenarios.data?.map((s) => (
                <Table.Tr key={s.id} data-scenario={s.name}>
                  <Table.Th scope="row" fw={500}>
                    {s.name}
                  </Table.Th>
                  <Table.Td>{t(`cps:kinds.${s.kind}`)}</Table.Td>
                  <Table.Td>
                    <Code>{paramsLine(s.params)}</Code>
                  </Table.Td>
                  <Table.Td>{format.dateTime(s.createdAt)}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      leftSection={<IconPlayerPlay size={14} />}
                      loading={starting === s.id}
                      disabled={!!starting}
                      onClick={() => run.mutate(s)}
                      aria-label={t('cps:scenarios.runNamed', { name: s.name })}
                      data-testid="run-scenario"
                    >
                      {t('cps:scenarios.run')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>

      <Title order={2} size="h3" mb="sm">
        {t('cps:runs.title')}
      </Title>
      <ProblemAlert error={runs.error} />
      <Card withBorder>
        {runs.isPending ? (
          <Loader size="sm" aria-label={t('cps:loading')} />
        ) : runs.data && runs.data.length === 0 ? (
          <Text c="dimmed">{t('cps:runs.none')}</Text>
        ) : (
          <Table data-testid="runs">
            <Table.Caption>{t('cps:runs.caption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('cps:runs.scenario')}</Table.Th>
                <Table.Th scope="col">{t('cps:runs.status')}</Table.Th>
                <Table.Th scope="col">{t('cps:runs.progress')}</Table.Th>
                <Table.Th scope="col">{t('cps:runs.seed')}</Table.Th>
                <Table.Th scope="col">{t('cps:runs.started')}</Table.Th>
                <Table.Th scope="col">{t('cps:runs.published')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[...(runs.data ?? [])]
                .sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))
                .map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Th scope="row" fw={500}>
                      <Anchor component={Link} to={`/cps/runs/${r.id}`}>
                        {r.name}
                      </Anchor>
                    </Table.Th>
                    <Table.Td>
                      <RunState status={r.status} />
                    </Table.Td>
                    <Table.Td>{Math.round(r.progress * 100)} %</Table.Td>
                    <Table.Td>{r.seed ?? '—'}</Table.Td>
                    <Table.Td>{format.dateTime(r.startedAt)}</Table.Td>
                    <Table.Td>{r.published ? `${r.published.dataset} ${r.published.version}` : '—'}</Table.Td>
                  </Table.Tr>
                ))}
            </Table.Tbody>
          </Table>
        )}
      </Card>
    </>
  );
}
