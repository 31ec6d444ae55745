/**
 * Audit-chain verification: the clearing service re-walks the hash chain against every signed checkpoint
 * (GET /audit/verify), or also against a checkpoint the officer kept (POST /audit/verify). The result is
 * either "intact" with the counts, or the first bad entry, what is wrong with it, and a link to it.
 */
import {
  Alert,
  Anchor,
  Button,
  Code,
  Group,
  Loader,
  Paper,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { IconShieldCheck, IconShieldX } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import type { VerifyReport } from './api';

function Result({ report, at }: { report: VerifyReport; at: Date }) {
  const { t } = useTranslation('compliance');
  const fmt = useFormat();
  const facts: [string, string][] = [
    [t('verify.entries'), fmt.number(report.entries)],
    [t('verify.checkpoints'), fmt.number(report.checkpointsChecked)],
    [t('verify.head'), report.head],
    [
      t('verify.latestCheckpoint'),
      report.latestCheckpoint
        ? t('verify.checkpointAt', {
            seq: report.latestCheckpoint.seq,
            at: fmt.dateTime(report.latestCheckpoint.createdAt),
          })
        : '—',
    ],
    ...(report.supplied
      ? ([
          [
            t('verify.supplied'),
            t('verify.suppliedAt', { seq: report.supplied.seq, kid: report.supplied.kid }),
          ],
        ] as [string, string][])
      : []),
    [t('verify.checkedAt'), fmt.dateTime(at)],
  ];
  const table = (
    <Table withRowBorders={false} verticalSpacing={2} layout="fixed" mt="xs">
      <Table.Tbody>
        {facts.map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Th scope="row" w={220} fz="sm">
              {k}
            </Table.Th>
            <Table.Td fz="sm" style={{ wordBreak: 'break-all' }}>
              {v}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
  if (report.ok)
    return (
      <Alert
        color="teal.9"
        variant="outline"
        icon={<IconShieldCheck aria-hidden />}
        title={t('verify.intact')}
        data-testid="verify-result"
        data-ok="true"
      >
        <Text size="sm">
          {t('verify.intactDetail', {
            count: report.entries,
            n: fmt.number(report.entries),
            checkpoints: fmt.number(report.checkpointsChecked),
          })}
        </Text>
        {table}
      </Alert>
    );
  const seq = report.firstBadSeq;
  return (
    <Alert
      color="red.9"
      variant="outline"
      icon={<IconShieldX aria-hidden />}
      title={t('verify.broken', { seq })}
      data-testid="verify-result"
      data-ok="false"
      role="alert"
    >
      <Stack gap={6}>
        <Text size="sm" fw={600}>
          {report.code && t(`verify.codes.${report.code}`, { defaultValue: report.code })}{' '}
          {report.code && <Code>{report.code}</Code>}
        </Text>
        <Text size="sm" data-testid="verify-problem">
          {report.problem}
        </Text>
        {seq && (
          <Anchor
            component={Link}
            to={`/compliance/decisions?kind=all&entry=${encodeURIComponent(seq)}`}
            data-testid="verify-open-entry"
            fw={600}
          >
            {t('verify.openEntry', { seq })}
          </Anchor>
        )}
        {table}
      </Stack>
    </Alert>
  );
}

export default function VerifyPage() {
  const { t } = useTranslation('compliance');
  const api = useApi();
  const [kept, setKept] = useState('');
  const [at, setAt] = useState(new Date());
  const verify = useMutation({
    mutationFn: (checkpoint?: string) => {
      setAt(new Date());
      return checkpoint
        ? api.post<VerifyReport>('clearing', '/audit/verify', { checkpoint })
        : api.get<VerifyReport>('clearing', '/audit/verify');
    },
  });
  return (
    <>
      <PageHeader title={t('verify.title')} description={t('verify.description')} />
      <Stack gap="md">
        <Group>
          <Button
            onClick={() => verify.mutate(undefined)}
            loading={verify.isPending}
            leftSection={<IconShieldCheck size={16} aria-hidden />}
            data-testid="verify-run"
          >
            {t('verify.run')}
          </Button>
          {verify.isPending && (
            <Group gap="xs" aria-live="polite">
              <Loader size="xs" aria-hidden />
              <Text size="sm">{t('verify.running')}</Text>
            </Group>
          )}
        </Group>
        {verify.error && <ProblemAlert error={verify.error} />}
        {verify.data && <Result report={verify.data} at={at} />}
        <Paper withBorder p="md">
          <Title order={2} size="h4" mb="xs">
            {t('verify.keptTitle')}
          </Title>
          <Text size="sm" mb="xs">
            {t('verify.keptDescription')}
          </Text>
          <Textarea
            label={t('verify.keptLabel')}
            autosize
            minRows={2}
            maxRows={6}
            value={kept}
            onChange={(e) => setKept(e.currentTarget.value.trim())}
            styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
          />
          <Button
            mt="xs"
            variant="default"
            disabled={!kept}
            loading={verify.isPending}
            onClick={() => verify.mutate(kept)}
          >
            {t('verify.runKept')}
          </Button>
        </Paper>
      </Stack>
    </>
  );
}
