/**
 * Deletion obligations: what consumers owe originators after a grant ended. Overdue ones (past the deadline
 * without a receipt, flagged to compliance) come first, then those confirmed late, then the obligations the
 * signed-in participant is itself a party to.
 */
import { Anchor, Badge, Code, Loader, ScrollArea, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertOctagon, IconCircleCheck, IconClock } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import type { DeletionObligation } from './api';

const DAY = 86_400_000;

function StatusBadge({ o }: { o: DeletionObligation }) {
  const { t } = useTranslation('compliance');
  if (o.status === 'overdue')
    return (
      <Badge color="red.9" variant="outline" leftSection={<IconAlertOctagon size={12} aria-hidden />}>
        {t('deletions.status.overdue')}
      </Badge>
    );
  if (o.status === 'confirmed')
    return (
      <Badge
        color={o.late ? 'grape.9' : 'teal.9'}
        variant="outline"
        leftSection={<IconCircleCheck size={12} aria-hidden />}
      >
        {o.late ? t('deletions.status.confirmedLate') : t('deletions.status.confirmed')}
      </Badge>
    );
  return (
    <Badge color="gray.8" variant="outline" leftSection={<IconClock size={12} aria-hidden />}>
      {t('deletions.status.open')}
    </Badge>
  );
}

function ObligationTable({
  rows,
  caption,
  testId,
}: {
  rows: DeletionObligation[];
  caption: string;
  testId: string;
}) {
  const { t } = useTranslation('compliance');
  const fmt = useFormat();
  const now = Date.now();
  if (rows.length === 0)
    return (
      <Text size="sm" data-testid={`${testId}-empty`}>
        {t('deletions.none')}
      </Text>
    );
  return (
    <ScrollArea type="auto">
      <Table striped highlightOnHover data-testid={testId} miw={960}>
        <caption
          style={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }}
        >
          {caption}
        </caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('deletions.dataset')}</Table.Th>
            <Table.Th scope="col">{t('deletions.consumer')}</Table.Th>
            <Table.Th scope="col">{t('deletions.originator')}</Table.Th>
            <Table.Th scope="col">{t('deletions.cause')}</Table.Th>
            <Table.Th scope="col">{t('deletions.due')}</Table.Th>
            <Table.Th scope="col">{t('deletions.statusLabel')}</Table.Th>
            <Table.Th scope="col">{t('deletions.confirmedAt')}</Table.Th>
            <Table.Th scope="col">{t('deletions.record')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((o) => {
            const late = Math.floor((now - new Date(o.dueAt).getTime()) / DAY);
            return (
              <Table.Tr key={o.id} data-testid="obligation-row" data-status={o.status}>
                <Table.Td>{o.dataset}</Table.Td>
                <Table.Td>
                  <Code>{o.consumer}</Code>
                </Table.Td>
                <Table.Td>
                  <Code>{o.originator}</Code>
                </Table.Td>
                <Table.Td>{t(`deletions.causes.${o.cause}`)}</Table.Td>
                <Table.Td>
                  {fmt.dateTime(o.dueAt)}
                  {o.status === 'overdue' && late >= 0 && (
                    <Text size="xs" c="red.9" fw={600}>
                      {t('deletions.daysOverdue', { count: late })}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <StatusBadge o={o} />
                </Table.Td>
                <Table.Td>{fmt.dateTime(o.confirmedAt)}</Table.Td>
                <Table.Td>
                  <Anchor
                    component={Link}
                    size="sm"
                    to={`/compliance/decisions?kind=all&participant=${encodeURIComponent(o.consumer)}&dataset=${encodeURIComponent(o.dataset)}`}
                  >
                    {t('deletions.auditLink')}
                  </Anchor>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}

function Part({
  title,
  description,
  path,
  query,
  testId,
}: {
  title: string;
  description: string;
  path: string;
  query?: Record<string, string>;
  testId: string;
}) {
  const { t } = useTranslation('compliance');
  const api = useApi();
  const list = useQuery({
    queryKey: ['compliance', 'deletions', path, query],
    queryFn: () => api.get<DeletionObligation[]>('clearing', path, { query }),
  });
  return (
    <Stack gap={4}>
      <Title order={2} size="h4">
        {title} {list.data && <Badge variant="outline">{list.data.length}</Badge>}
      </Title>
      <Text size="sm">{description}</Text>
      {list.isPending && <Loader size="sm" aria-label={t('entries.loading')} />}
      {list.error && <ProblemAlert error={list.error} />}
      {list.data && <ObligationTable rows={list.data} caption={title} testId={testId} />}
    </Stack>
  );
}

export default function DeletionsPage() {
  const { t } = useTranslation('compliance');
  return (
    <>
      <PageHeader title={t('deletions.title')} description={t('deletions.description')} />
      <Stack gap="xl">
        <Part
          title={t('deletions.overdue')}
          description={t('deletions.overdueHint')}
          path="/deletion-obligations/overdue"
          query={{ status: 'overdue', limit: '500' }}
          testId="overdue"
        />
        <Part
          title={t('deletions.late')}
          description={t('deletions.lateHint')}
          path="/deletion-obligations/overdue"
          query={{ status: 'confirmed', limit: '500' }}
          testId="late"
        />
        <Part
          title={t('deletions.own')}
          description={t('deletions.ownHint')}
          path="/deletion-obligations"
          testId="own"
        />
      </Stack>
    </>
  );
}
