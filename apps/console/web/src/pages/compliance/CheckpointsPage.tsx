/**
 * Signed checkpoints of the audit chain: the latest one, a new one on demand, and the signed JWS to keep
 * (a receipt: POST /audit/verify with it later proves the chain still reproduces that head).
 */
import { Alert, Button, Code, Group, Loader, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { IconCertificate, IconDownload } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import type { Checkpoint } from './api';
import { saveText } from './download';

/** The JWS's protected header and claims, decoded for display (the signature is checked by the API). */
function decodeJws(jws: string): { header: unknown; claims: unknown } | null {
  const [h, p] = jws.split('.');
  const part = (s: string | undefined) => {
    if (!s) return null;
    const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)))) as unknown;
  };
  try {
    return { header: part(h), claims: part(p) };
  } catch {
    return null;
  }
}

function CheckpointCard({ checkpoint, fresh }: { checkpoint: Checkpoint; fresh: boolean }) {
  const { t } = useTranslation('compliance');
  const fmt = useFormat();
  const decoded = decodeJws(checkpoint.jws);
  const rows: [string, string][] = [
    [t('checkpoints.seq'), String(checkpoint.seq)],
    [t('checkpoints.entries'), fmt.number(checkpoint.entries)],
    [t('checkpoints.hash'), checkpoint.hash],
    [t('checkpoints.kid'), checkpoint.kid],
    [t('checkpoints.createdAt'), fmt.dateTime(checkpoint.createdAt)],
  ];
  return (
    <Paper withBorder p="md" data-testid="checkpoint">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          {fresh ? t('checkpoints.created') : t('checkpoints.latest')}
        </Title>
        <Button
          leftSection={<IconDownload size={16} aria-hidden />}
          onClick={() =>
            saveText(checkpoint.jws, `renkei-checkpoint-${checkpoint.seq}.jws`, 'application/jose')
          }
          data-testid="checkpoint-download"
        >
          {t('checkpoints.download')}
        </Button>
      </Group>
      <Table withRowBorders={false} verticalSpacing={2} layout="fixed">
        <Table.Tbody>
          {rows.map(([k, v]) => (
            <Table.Tr key={k}>
              <Table.Th scope="row" w={200} fz="sm">
                {k}
              </Table.Th>
              <Table.Td fz="sm" style={{ wordBreak: 'break-all' }}>
                {v}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="sm" fw={600} mt="sm">
        {t('checkpoints.signed')}
      </Text>
      <Code
        block
        style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap', fontSize: 11 }}
        data-testid="checkpoint-jws"
      >
        {checkpoint.jws}
      </Code>
      {decoded && (
        <>
          <Text size="sm" fw={600} mt="sm">
            {t('checkpoints.claims')}
          </Text>
          <Code block style={{ fontSize: 12 }}>
            {JSON.stringify(decoded, null, 2)}
          </Code>
        </>
      )}
    </Paper>
  );
}

export default function CheckpointsPage() {
  const { t } = useTranslation('compliance');
  const api = useApi();
  const queryClient = useQueryClient();
  const latest = useQuery({
    queryKey: ['compliance', 'checkpoint'],
    queryFn: () => api.get<Checkpoint>('clearing', '/audit/checkpoints/latest'),
  });
  const create = useMutation({
    mutationFn: () => api.post<Checkpoint>('clearing', '/audit/checkpoints'),
    onSuccess: (c) => queryClient.setQueryData(['compliance', 'checkpoint'], c),
  });
  return (
    <>
      <PageHeader
        title={t('checkpoints.title')}
        description={t('checkpoints.description')}
        actions={
          <Button
            leftSection={<IconCertificate size={16} aria-hidden />}
            loading={create.isPending}
            onClick={() => create.mutate()}
            data-testid="checkpoint-create"
          >
            {t('checkpoints.create')}
          </Button>
        }
      />
      <Stack gap="md">
        {create.error && <ProblemAlert error={create.error} />}
        {create.isSuccess && (
          <Alert color="teal.9" variant="outline" data-testid="checkpoint-created">
            {t('checkpoints.createdAlert', { seq: create.data.seq })}
          </Alert>
        )}
        {latest.isPending && <Loader aria-label={t('entries.loading')} />}
        {latest.error && <ProblemAlert error={latest.error} />}
        {latest.data && <CheckpointCard checkpoint={latest.data} fresh={create.isSuccess} />}
        <Text size="sm">{t('checkpoints.keepHint')}</Text>
      </Stack>
    </>
  );
}
