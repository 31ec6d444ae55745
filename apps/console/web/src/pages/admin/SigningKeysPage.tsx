/**
 * The platform's token signing keys (clearing): which key signs now, which is published next, which are
 * retiring, and the rotation settings; rotate now, with an optional pre-publication delay.
 */
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Loader,
  Modal,
  NumberInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconInfoCircle, IconRotateClockwise } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import { alertText, errorContrast } from './labels';
import type { RotationResult, SigningKey, SigningKeys } from './types';

const key = ['admin', 'signing-keys'] as const;

const stateColor: Record<SigningKey['state'], string> = {
  next: 'blue',
  active: 'teal',
  retiring: 'orange',
  retired: 'gray',
};

export function SigningKeysPage() {
  const { t } = useTranslation();
  const api = useApi();
  const format = useFormat();
  const [rotating, setRotating] = useState(false);
  const keys = useQuery({
    queryKey: key,
    queryFn: () => api.get<SigningKeys>('clearing', '/admin/signing-keys'),
    refetchInterval: 30_000,
  });
  const order: SigningKey['state'][] = ['next', 'active', 'retiring', 'retired'];
  const sorted = [...(keys.data?.keys ?? [])].sort(
    (a, b) => order.indexOf(a.state) - order.indexOf(b.state) || b.createdAt.localeCompare(a.createdAt),
  );
  const policy = keys.data?.policy;
  return (
    <>
      <PageHeader
        title={t('admin:keys.title')}
        description={t('admin:keys.description')}
        actions={
          <Button
            leftSection={<IconRotateClockwise size={16} />}
            onClick={() => setRotating(true)}
            disabled={!keys.data}
            data-testid="rotate"
          >
            {t('admin:keys.rotate')}
          </Button>
        }
      />
      <ProblemAlert error={keys.error} />
      {keys.isPending && <Loader aria-label={t('admin:loading')} />}
      {policy && (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} mb="md">
          <Fact
            label={t('admin:keys.policy.rotateEvery')}
            value={t('admin:keys.hours', { count: policy.rotateEveryHours })}
          />
          <Fact
            label={t('admin:keys.policy.prepublish')}
            value={t('admin:keys.seconds', { count: policy.prepublishSeconds })}
          />
          <Fact
            label={t('admin:keys.policy.retiring')}
            value={t('admin:keys.seconds', { count: policy.retiringSeconds })}
          />
          <Fact
            label={t('admin:keys.policy.nextChange')}
            value={keys.data?.nextChangeAt ? format.dateTime(keys.data.nextChangeAt) : t('admin:keys.none')}
          />
        </SimpleGrid>
      )}
      {keys.data && (
        <Table.ScrollContainer minWidth={900}>
          <Table striped verticalSpacing="xs" data-testid="signing-keys">
            <Table.Caption>{t('admin:keys.caption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('admin:keys.columns.kid')}</Table.Th>
                <Table.Th scope="col">{t('admin:keys.columns.state')}</Table.Th>
                <Table.Th scope="col">{t('admin:keys.columns.alg')}</Table.Th>
                <Table.Th scope="col">{t('admin:keys.columns.published')}</Table.Th>
                <Table.Th scope="col">{t('admin:keys.columns.created')}</Table.Th>
                <Table.Th scope="col">{t('admin:keys.columns.signing')}</Table.Th>
                <Table.Th scope="col">{t('admin:keys.columns.retired')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sorted.map((k) => (
                <Table.Tr key={k.kid} data-testid="signing-key" data-state={k.state}>
                  <Table.Td>
                    <Code>{k.kid}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Badge
                      color={stateColor[k.state]}
                      variant="light"
                      styles={{ label: { color: 'var(--mantine-color-text)' } }}
                    >
                      {t(`admin:keys.state.${k.state}`)}
                    </Badge>
                    <Text size="xs" c="dimmed">
                      {t(`admin:keys.stateHelp.${k.state}`)}
                    </Text>
                  </Table.Td>
                  <Table.Td>{k.alg}</Table.Td>
                  <Table.Td>{k.published ? t('admin:keys.yes') : t('admin:keys.no')}</Table.Td>
                  <Table.Td>{format.dateTime(k.createdAt)}</Table.Td>
                  <Table.Td>
                    {k.activatedAt
                      ? t('admin:keys.since', { date: format.dateTime(k.activatedAt) })
                      : k.activatesAt
                        ? t('admin:keys.from', { date: format.dateTime(k.activatesAt) })
                        : '—'}
                  </Table.Td>
                  <Table.Td>
                    {k.retiredAt ? format.dateTime(k.retiredAt) : '—'}
                    {k.leavesJwksAt && (
                      <Text size="xs" c="dimmed">
                        {t('admin:keys.leavesJwks', { date: format.dateTime(k.leavesJwksAt) })}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {rotating && policy && (
        <RotateModal prepublish={policy.prepublishSeconds} onClose={() => setRotating(false)} />
      )}
    </>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
    </Stack>
  );
}

function RotateModal({ prepublish, onClose }: { prepublish: number; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [delay, setDelay] = useState<number | string>(prepublish);
  const rotate = useMutation({
    mutationFn: () =>
      api.post<RotationResult>('clearing', '/admin/signing-keys/rotate', {
        activateAfterSeconds: typeof delay === 'number' ? delay : Number(delay) || 0,
      }),
    onSuccess: async (result) => {
      queryClient.setQueryData<SigningKeys>(key, (old) => (old ? { ...old, keys: result.keys } : old));
      await queryClient.invalidateQueries({ queryKey: key });
      notifications.show({
        closeButtonProps: { 'aria-label': t('admin:close') },
        color: 'teal',
        message: t(`admin:keys.result.${result.result}`),
      });
      onClose();
    },
  });
  return (
    <Modal
      opened
      styles={{ root: errorContrast }}
      closeButtonProps={{ 'aria-label': t('admin:close') }}
      onClose={onClose}
      title={t('admin:keys.rotateTitle')}
      size="lg"
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          rotate.mutate();
        }}
      >
        <Stack>
          <Text size="sm">{t('admin:keys.rotateExplain')}</Text>
          <NumberInput
            label={t('admin:keys.delay')}
            description={t('admin:keys.delayHelp', { seconds: prepublish })}
            min={0}
            max={2_592_000}
            step={60}
            allowDecimal={false}
            value={delay}
            onChange={setDelay}
            data-testid="rotate-delay"
          />
          <Alert color="blue" styles={alertText} icon={<IconInfoCircle />}>
            {t('admin:keys.rotateCaveat')}
          </Alert>
          <ProblemAlert error={rotate.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('admin:cancel')}
            </Button>
            <Button type="submit" loading={rotate.isPending} data-testid="confirm-rotate">
              {t('admin:keys.rotateConfirm')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
