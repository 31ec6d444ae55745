/**
 * A dataset's contract: its versions, each version's lifecycle (who moved it, when and why), the owner's
 * moves, and a compatibility dry run that shows each breaking change on the schema it was found in.
 */
import {
  Alert,
  Badge,
  Box,
  Button,
  Card,
  Code,
  Group,
  Paper,
  SegmentedControl,
  Skeleton,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import { ContractStatusBadge, ParticipantId, ReasonAction, seg, Term, useMe, readable } from './common';
import { RequestAccessButton } from './RequestAccess';
import { jsonLines, lineOf } from './schemaLines';
import type { CompatibilityReport, ContractView, SchemaBreak, Transition } from './types';

export function ContractPage() {
  const { t } = useTranslation();
  const { dataset = '' } = useParams();
  const api = useApi();
  const me = useMe();
  const versions = useQuery({
    queryKey: ['steward', 'versions', dataset],
    queryFn: ({ signal }) =>
      api.get<ContractView[]>('registry', `/contracts/${seg(dataset)}/versions`, { signal }),
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const list = versions.data ?? [];
  const current = list.find((v) => v.current) ?? list[list.length - 1];
  const shown = list.find((v) => v.version === chosen) ?? current;
  const owner = current?.owner === me;

  return (
    <>
      <PageHeader
        title={t('steward:contract.title', { dataset })}
        description={current?.title}
        actions={
          current && (
            <Group gap="xs">
              {owner ? (
                <Button
                  component={Link}
                  to={`/steward/publish?dataset=${seg(dataset)}`}
                  variant="light"
                  size="xs"
                >
                  {t('steward:catalog.testPublish')}
                </Button>
              ) : (
                current.status !== 'draft' && <RequestAccessButton entry={current} />
              )}
            </Group>
          )
        }
      />
      <ProblemAlert error={versions.error} />
      {versions.isPending && <Skeleton h={200} />}
      {shown && (
        <Stack gap="lg">
          <section aria-labelledby="versions-title">
            <Title order={2} size="h3" id="versions-title" mb="xs">
              {t('steward:contract.versions')}
            </Title>
            <Table data-testid="versions-table" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('steward:catalog.version')}</Table.Th>
                  <Table.Th scope="col">{t('steward:catalog.status')}</Table.Th>
                  <Table.Th scope="col">{t('steward:contract.created')}</Table.Th>
                  <Table.Th scope="col">{t('steward:contract.updated')}</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>{t('steward:catalog.actions')}</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((v) => (
                  <VersionRow
                    key={v.version}
                    version={v}
                    selected={v.version === shown.version}
                    onShow={() => setChosen(v.version)}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </section>
          <VersionDetail contract={shown} owner={owner} />
          {owner && <DryRun dataset={dataset} base={current} />}
        </Stack>
      )}
    </>
  );
}

function VersionRow({
  version: v,
  selected,
  onShow,
}: {
  version: ContractView;
  selected: boolean;
  onShow: () => void;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <Table.Tr data-testid={`version-${v.version}`} aria-current={selected ? 'true' : undefined}>
      <Table.Td>
        <Group gap={6}>
          <Text fw={selected ? 700 : 400}>{v.version}</Text>
          {v.current && (
            <Badge size="xs" variant="outline">
              {t('steward:contract.current')}
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <ContractStatusBadge status={v.status} />
      </Table.Td>
      <Table.Td>{f.dateTime(v.createdAt)}</Table.Td>
      <Table.Td>{f.dateTime(v.updatedAt)}</Table.Td>
      <Table.Td>
        <Button size="xs" variant={selected ? 'filled' : 'subtle'} onClick={onShow}>
          {t('steward:contract.show', { version: v.version })}
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

function VersionDetail({ contract: c, owner }: { contract: ContractView; owner: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const f = useFormat();
  const client = useQueryClient();
  const path = `/contracts/${seg(c.dataset)}/versions/${seg(c.version)}`;
  const transitions = useQuery({
    queryKey: ['steward', 'transitions', c.dataset, c.version],
    queryFn: ({ signal }) => api.get<Transition[]>('registry', `${path}/transitions`, { signal }),
  });
  const move = (to: 'activate' | 'deprecate' | 'retire') => async (reason: string | null) => {
    await api.post<ContractView>('registry', `${path}/${to}`, { reason });
    await client.invalidateQueries({ queryKey: ['steward', 'versions', c.dataset] });
    await client.invalidateQueries({ queryKey: ['steward', 'transitions', c.dataset, c.version] });
  };
  const moves: { to: 'activate' | 'deprecate' | 'retire'; from: string; color: string }[] = [
    { to: 'activate', from: 'draft', color: 'indigo' },
    { to: 'deprecate', from: 'active', color: 'red' },
    { to: 'retire', from: 'deprecated', color: 'red' },
  ];
  return (
    <section aria-labelledby="version-title">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h3" id="version-title">
          {t('steward:contract.version', { version: c.version })}
        </Title>
        {owner && (
          <Group gap="xs" data-testid="owner-actions">
            {moves
              .filter((m) => m.from === c.status)
              .map((m) => (
                <ReasonAction
                  key={m.to}
                  label={t(`steward:contract.move.${m.to}`)}
                  title={t(`steward:contract.move.${m.to}Title`, { version: c.version })}
                  description={t(`steward:contract.move.${m.to}Help`)}
                  color={m.color}
                  reasonRequired={m.to !== 'activate'}
                  onConfirm={move(m.to)}
                  testId={`move-${m.to}`}
                />
              ))}
          </Group>
        )}
      </Group>
      <Group align="flex-start" grow wrap="wrap">
        <Card withBorder miw={320}>
          <Title order={3} size="h5" mb="xs">
            {t('steward:contract.terms')}
          </Title>
          <Stack gap={4} component="dl" m={0}>
            <Term term={t('steward:catalog.status')}>
              <ContractStatusBadge status={c.status} />
            </Term>
            <Term term={t('steward:catalog.purposes')}>{c.purposes.join(', ')}</Term>
            <Term term={t('steward:terms.sensitivity')}>{t(`steward:sensitivity.${c.sensitivity}`)}</Term>
            <Term term={t('steward:terms.protection')}>{t(`steward:protection.${c.minimumProtection}`)}</Term>
            <Term term={t('steward:terms.residency')}>{c.residency ?? t('steward:terms.anywhere')}</Term>
            <Term term={t('steward:terms.retention')}>
              {c.retentionDays === null
                ? t('steward:terms.noLimit')
                : t('steward:terms.days', { count: c.retentionDays })}
            </Term>
            <Term term={t('steward:terms.compatibility')}>
              <Code>{c.compatibility}</Code>
            </Term>
            <Term term={t('steward:terms.visibility')}>{t(`steward:visibility.${c.visibility}`)}</Term>
            <Term term={t('steward:terms.approval')}>
              {t(`steward:approval.${c.approval ?? 'originator'}`)}
            </Term>
            {c.source && (
              <Term term={t('steward:terms.source')}>
                <Code>{c.source.agreementId}</Code> · <ParticipantId id={c.source.provider} />
              </Term>
            )}
            <Term term={t('steward:catalog.owner')}>
              <ParticipantId id={c.owner} />
            </Term>
          </Stack>
          {Object.keys(c.fields).length > 0 && (
            <Table mt="sm" withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('steward:terms.field')}</Table.Th>
                  <Table.Th scope="col">{t('steward:terms.tags')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {Object.entries(c.fields).map(([name, field]) => (
                  <Table.Tr key={name}>
                    <Table.Td>
                      <Code>{name}</Code>
                    </Table.Td>
                    <Table.Td>{field.tags.map((tag) => t(`steward:tag.${tag}`)).join(', ')}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
        <Card withBorder miw={320}>
          <Title order={3} size="h5" mb="xs">
            {t('steward:contract.lifecycle')}
          </Title>
          <ProblemAlert error={transitions.error} />
          {transitions.data && (
            <Timeline bulletSize={18} lineWidth={2} data-testid="transitions">
              {transitions.data.map((tr) => (
                <Timeline.Item
                  key={`${tr.at}-${tr.to}`}
                  title={
                    tr.from
                      ? t('steward:contract.transition', {
                          from: t(`steward:contractStatus.${tr.from}`),
                          to: t(`steward:contractStatus.${tr.to}`),
                        })
                      : t('steward:contract.registered', { to: t(`steward:contractStatus.${tr.to}`) })
                  }
                >
                  <Text size="xs" c="dimmed">
                    {f.dateTime(tr.at)} · <ParticipantId id={tr.actor} />
                  </Text>
                  <Text size="sm">{tr.reason ?? t('steward:contract.noReason')}</Text>
                </Timeline.Item>
              ))}
            </Timeline>
          )}
        </Card>
      </Group>
      <Card withBorder mt="md">
        <Title order={3} size="h5" mb="xs">
          {t('steward:contract.schema')}
        </Title>
        <SchemaView schema={c.schema} breaks={[]} />
      </Card>
    </section>
  );
}

/** The schema, line by line, with a marker on each line a breaking change points at. */
export function SchemaView({ schema, breaks }: { schema: unknown; breaks: SchemaBreak[] }) {
  const { t } = useTranslation();
  const lines = useMemo(() => jsonLines(schema), [schema]);
  const marks = useMemo(() => {
    const byLine = new Map<number, number[]>();
    breaks.forEach((b, i) => {
      const line = lineOf(lines, b.schemaPath.replace(/^\/schema/, ''));
      byLine.set(line, [...(byLine.get(line) ?? []), i + 1]);
    });
    return byLine;
  }, [breaks, lines]);
  return (
    <Box
      mah={480}
      style={{ overflow: 'auto' }}
      tabIndex={0}
      role="region"
      aria-label={t('steward:contract.schema')}
    >
      <Box component="pre" m={0} fz="xs" ff="monospace" data-testid="schema-view">
        {lines.map((line, i) => {
          const mark = marks.get(i);
          return (
            <div
              key={i}
              data-path={line.path}
              data-break={mark ? mark.join(',') : undefined}
              style={{
                background: mark ? 'var(--mantine-color-red-1)' : undefined,
                borderLeft: mark ? '3px solid var(--mantine-color-red-8)' : '3px solid transparent',
                paddingLeft: 4,
              }}
            >
              {line.text}
              {mark && (
                <Text span fz="xs" fw={700} c="red.9" ml="sm">
                  ⚠ {t('steward:dryRun.breakMarker', { n: mark.join(', ') })}
                </Text>
              )}
            </div>
          );
        })}
      </Box>
    </Box>
  );
}

function DryRun({ dataset, base }: { dataset: string; base: ContractView }) {
  const { t } = useTranslation();
  const api = useApi();
  const [text, setText] = useState(() => JSON.stringify(base.schema, null, 2));
  const [version, setVersion] = useState('');
  const [view, setView] = useState('annotated');
  useEffect(() => setText(JSON.stringify(base.schema, null, 2)), [base.schema]);
  const parsed = useMemo(() => {
    try {
      const value: unknown = JSON.parse(text);
      if (!value || typeof value !== 'object' || Array.isArray(value))
        return { error: t('steward:dryRun.notObject') };
      return { value: value as Record<string, unknown> };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [text, t]);
  const check = useMutation({
    mutationFn: (schema: Record<string, unknown>) =>
      api.post<CompatibilityReport>('registry', `/contracts/${seg(dataset)}/compatibility`, {
        schema,
        ...(version.trim() ? { version: version.trim() } : {}),
      }),
  });
  const report = check.data;
  return (
    <section aria-labelledby="dry-run-title">
      <Title order={2} size="h3" id="dry-run-title" mb={4}>
        {t('steward:dryRun.title')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('steward:dryRun.description', { mode: base.compatibility })}
      </Text>
      <Stack>
        <Stack>
          <Textarea
            label={t('steward:dryRun.schema')}
            description={t('steward:dryRun.schemaHelp')}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            autosize
            minRows={12}
            maxRows={28}
            spellCheck={false}
            styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
            error={parsed.error}
            data-testid="dry-run-schema"
          />
          <Group align="flex-end">
            <TextInput
              label={t('steward:dryRun.version')}
              description={t('steward:dryRun.versionHelp')}
              placeholder="2.0.0"
              value={version}
              onChange={(e) => setVersion(e.currentTarget.value)}
            />
            <Button
              disabled={!parsed.value}
              loading={check.isPending}
              onClick={() => parsed.value && check.mutate(parsed.value)}
              data-testid="dry-run-check"
            >
              {t('steward:dryRun.check')}
            </Button>
          </Group>
        </Stack>
        <Stack>
          <ProblemAlert error={check.error} />
          {report && (
            <Paper withBorder p="sm" data-testid="dry-run-result">
              {report.compatible ? (
                <Alert
                  styles={readable}
                  color="green"
                  icon={<IconCircleCheck />}
                  title={t('steward:dryRun.compatible')}
                >
                  {t('steward:dryRun.compatibleDetail', {
                    version: report.version,
                    against: report.checkedAgainst.join(', ') || '—',
                    mode: report.compatibility,
                  })}
                </Alert>
              ) : (
                <Stack>
                  <Alert
                    styles={readable}
                    color="red"
                    icon={<IconAlertTriangle />}
                    title={t('steward:dryRun.breaking', { count: report.breaks.length })}
                  >
                    {t('steward:dryRun.breakingDetail', {
                      version: report.version,
                      against: report.checkedAgainst.join(', '),
                      mode: report.compatibility,
                    })}
                  </Alert>
                  <SegmentedControl
                    aria-label={t('steward:dryRun.viewAs')}
                    value={view}
                    onChange={setView}
                    data={[
                      { value: 'annotated', label: t('steward:dryRun.onSchema') },
                      { value: 'table', label: t('steward:dryRun.asList') },
                    ]}
                  />
                  {view === 'annotated' ? (
                    <SchemaView schema={parsed.value ?? {}} breaks={report.breaks} />
                  ) : null}
                  <BreaksTable breaks={report.breaks} />
                </Stack>
              )}
            </Paper>
          )}
        </Stack>
      </Stack>
    </section>
  );
}

function BreaksTable({ breaks }: { breaks: SchemaBreak[] }) {
  const { t } = useTranslation();
  return (
    <Table withTableBorder data-testid="breaks">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">#</Table.Th>
          <Table.Th scope="col">{t('steward:dryRun.path')}</Table.Th>
          <Table.Th scope="col">{t('steward:dryRun.kind')}</Table.Th>
          <Table.Th scope="col">{t('steward:dryRun.message')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {breaks.map((b, i) => (
          <Table.Tr key={`${b.schemaPath}-${b.kind}-${i}`} data-testid="break">
            <Table.Td>{i + 1}</Table.Td>
            <Table.Td>
              <Code>{b.schemaPath}</Code>
              {b.field && (
                <Text size="xs" c="dimmed">
                  {t('steward:dryRun.field')} <Code>{b.field}</Code>
                  {b.against ? ` · ${t('steward:dryRun.against', { version: b.against })}` : ''}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Code>{b.kind}</Code>
            </Table.Td>
            <Table.Td>{b.message}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
