/**
 * Deletion obligations: what your company must delete (a grant to it ended) and what others owe you. The
 * consumer confirms deletion with a receipt signed here, in the browser, with its own key; the originator
 * sees the receipt and its claims. Overdue ones first.
 */
import {
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSignedIn } from '../../auth/context';
import { DeletionMethods, signDeletionReceipt, type DeletionMethod } from '../../auth/receipt';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';

export interface Obligation {
  id: string;
  grant: string;
  consumer: string;
  originator: string;
  dataset: string;
  cause: 'revoked' | 'expired';
  dueAt: string;
  status: 'open' | 'confirmed' | 'overdue';
  late: boolean;
  confirmedAt: string | null;
  receipt: { jws: string; claims: Record<string, unknown> } | null;
}

const rank = { overdue: 0, open: 1, confirmed: 2 } as const;
const statusColor = { overdue: 'red.8', open: 'yellow.4', confirmed: 'green.8' } as const;

/** Local date-time for a datetime-local input. */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function ObligationsPage() {
  const { t } = useTranslation('account');
  const { api, identity, session } = useSignedIn();
  const format = useFormat();
  const queryClient = useQueryClient();
  const list = useQuery({
    queryKey: ['deletion-obligations'],
    queryFn: () => api.get<Obligation[]>('clearing', '/deletion-obligations'),
  });
  const [confirming, setConfirming] = useState<Obligation>();
  const [method, setMethod] = useState<DeletionMethod>('crypto-erase');
  // Empty: deleted just now (the time of signing); else a time the steward enters.
  const [deletedAt, setDeletedAt] = useState('');
  const [allCopies, setAllCopies] = useState(false);

  const confirm = useMutation({
    mutationFn: async (o: Obligation) => {
      const receipt = await signDeletionReceipt(
        session,
        o,
        deletedAt ? new Date(deletedAt) : new Date(),
        method,
      );
      return api.post<Obligation>('clearing', `/deletion-obligations/${o.id}/receipt`, { receipt });
    },
    onSuccess: async () => {
      notifications.show({ color: 'green', message: t('obligations.confirmed') });
      setConfirming(undefined);
      setAllCopies(false);
      await queryClient.invalidateQueries({ queryKey: ['deletion-obligations'] });
    },
  });

  const sorted = [...(list.data ?? [])].sort(
    (a, b) => rank[a.status] - rank[b.status] || a.dueAt.localeCompare(b.dueAt),
  );
  const mine = sorted.filter((o) => o.consumer === identity.participant);
  const owed = sorted.filter((o) => o.originator === identity.participant);

  const table = (rows: Obligation[], owe: boolean) =>
    rows.length === 0 ? (
      <Text c="dimmed" size="sm" py="md">
        {owe ? t('obligations.noneOwed') : t('obligations.noneOwedToYou')}
      </Text>
    ) : (
      <Table striped withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('obligations.dataset')}</Table.Th>
            <Table.Th scope="col">{owe ? t('obligations.originator') : t('obligations.consumer')}</Table.Th>
            <Table.Th scope="col">{t('obligations.cause')}</Table.Th>
            <Table.Th scope="col">{t('obligations.due')}</Table.Th>
            <Table.Th scope="col">{t('obligations.status')}</Table.Th>
            <Table.Th scope="col">{owe ? t('obligations.action') : t('obligations.receipt')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((o) => (
            <Table.Tr key={o.id} data-testid={`obligation-${o.id}`}>
              <Table.Td>
                <Code>{o.dataset}</Code>
              </Table.Td>
              <Table.Td>
                <Code>{owe ? o.originator : o.consumer}</Code>
              </Table.Td>
              <Table.Td>{t(`obligations.causes.${o.cause}`)}</Table.Td>
              <Table.Td>{format.dateTime(o.dueAt)}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  <Badge color={statusColor[o.status]} variant="filled">
                    {t(`obligations.statuses.${o.status}`)}
                  </Badge>
                  {o.late && (
                    <Badge color="red" variant="outline">
                      {t('obligations.late')}
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                {o.status !== 'confirmed' && owe ? (
                  <Button size="xs" onClick={() => setConfirming(o)}>
                    {t('obligations.confirm')}
                  </Button>
                ) : o.receipt ? (
                  <Text size="xs">
                    {String(o.receipt.claims.method)} · {format.dateTime(String(o.receipt.claims.deletedAt))}
                  </Text>
                ) : (
                  '—'
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    );

  return (
    <>
      <PageHeader title={t('obligations.title')} description={t('obligations.description')} />
      <ProblemAlert error={list.error} />
      <Tabs defaultValue="owe">
        <Tabs.List>
          <Tabs.Tab value="owe">
            {t('obligations.youOwe', { count: mine.filter((o) => o.status !== 'confirmed').length })}
          </Tabs.Tab>
          <Tabs.Tab value="owed">{t('obligations.owedToYou', { count: owed.length })}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="owe" pt="md">
          {table(mine, true)}
        </Tabs.Panel>
        <Tabs.Panel value="owed" pt="md">
          {table(owed, false)}
        </Tabs.Panel>
      </Tabs>
      <Modal
        opened={!!confirming}
        onClose={() => setConfirming(undefined)}
        title={t('obligations.confirmTitle')}
      >
        {confirming && (
          <Stack>
            <Title order={3} size="h5">
              <Code>{confirming.dataset}</Code>
            </Title>
            <Text size="sm">{t('obligations.confirmText')}</Text>
            <Select
              label={t('obligations.method')}
              data={DeletionMethods.map((m) => ({ value: m, label: t(`obligations.methods.${m}`) }))}
              value={method}
              onChange={(v) => v && DeletionMethods.includes(v) && setMethod(v)}
              allowDeselect={false}
            />
            <TextInput
              type="datetime-local"
              label={t('obligations.deletedAt')}
              description={t('obligations.deletedAtHelp')}
              max={localInput(new Date())}
              value={deletedAt}
              onChange={(e) => setDeletedAt(e.currentTarget.value)}
            />
            <Checkbox
              label={t('obligations.allCopies')}
              checked={allCopies}
              onChange={(e) => setAllCopies(e.currentTarget.checked)}
            />
            <ProblemAlert error={confirm.error} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setConfirming(undefined)}>
                {t('cancel')}
              </Button>
              <Button
                disabled={!allCopies}
                loading={confirm.isPending}
                onClick={() => confirm.mutate(confirming)}
              >
                {t('obligations.sign')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}
