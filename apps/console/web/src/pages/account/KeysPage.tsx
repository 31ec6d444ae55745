/**
 * The company's sign-in keys, one per employee (ADR 0028): add a key generated in this browser (its private
 * half is downloaded once, for the employee it belongs to) and remove a key to end that person's access.
 */
import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSignedIn } from '../../auth/context';
import { generateParticipantKey } from '../../auth/keys';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';

interface Participant {
  id: string;
  legalName: string;
  jwks: { keys: { kid?: string; kty?: string; crv?: string }[] };
}

const KID = /^[A-Za-z0-9._:~-]{1,200}$/;

function download(name: string, content: string) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([content], { type: 'application/json' }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

export function KeysPage() {
  const { t } = useTranslation('account');
  const { api, identity, session } = useSignedIn();
  const queryClient = useQueryClient();
  const path = `/participants/${encodeURIComponent(identity.participant)}`;
  const participant = useQuery({
    queryKey: ['participant', identity.participant],
    queryFn: () => api.get<Participant>('registry', path),
  });
  const [opened, { open, close }] = useDisclosure(false);
  const [kid, setKid] = useState('');
  const [removing, setRemoving] = useState<string>();

  const add = useMutation({
    mutationFn: async () => {
      const { publicJwk, privateJwk } = await generateParticipantKey();
      const updated = await api.post<Participant>('registry', `${path}/keys`, { ...publicJwk, kid });
      download(
        `${kid}.json`,
        JSON.stringify(
          { participant: identity.participant, name: identity.name, privateJwk: { ...privateJwk, kid } },
          null,
          2,
        ),
      );
      return updated;
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(['participant', identity.participant], updated);
      notifications.show({ color: 'green', message: t('added', { kid }) });
      setKid('');
      close();
    },
  });
  const remove = useMutation({
    mutationFn: (k: string) =>
      api
        .send('DELETE', 'registry', `${path}/keys/${encodeURIComponent(k)}`)
        .then((r) => r.json() as Promise<Participant>),
    onSuccess: (updated, k) => {
      queryClient.setQueryData(['participant', identity.participant], updated);
      notifications.show({ color: 'green', message: t('removed', { kid: k }) });
      setRemoving(undefined);
    },
  });

  const keys = participant.data?.jwks.keys ?? [];
  const kidError =
    kid && !KID.test(kid) ? t('kidInvalid') : keys.some((k) => k.kid === kid) ? t('kidTaken') : undefined;
  return (
    <>
      <PageHeader
        title={t('title')}
        description={t('description')}
        actions={<Button onClick={open}>{t('add')}</Button>}
      />
      <ProblemAlert error={participant.error ?? remove.error} />
      <Table striped withTableBorder aria-label={t('title')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('kid')}</Table.Th>
            <Table.Th scope="col">{t('type')}</Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>{t('actions')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {keys.map((k) => (
            <Table.Tr key={k.kid}>
              <Table.Td>
                <Code>{k.kid}</Code>{' '}
                {k.kid === session.held.kid && <Badge size="xs">{t('thisBrowser')}</Badge>}
              </Table.Td>
              <Table.Td>
                {k.kty} {k.crv}
              </Table.Td>
              <Table.Td>
                <Group justify="flex-end">
                  <Button
                    size="xs"
                    color="red"
                    variant="light"
                    disabled={keys.length === 1}
                    loading={remove.isPending && removing === k.kid}
                    onClick={() => setRemoving(k.kid)}
                    aria-label={t('removeKey', { kid: k.kid })}
                  >
                    {t('remove')}
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="sm" c="dimmed" mt="sm">
        {t('howAccessEnds')}
      </Text>
      <Modal
        opened={!!removing}
        onClose={() => setRemoving(undefined)}
        title={t('confirmTitle', { kid: removing })}
      >
        <Stack>
          <Text size="sm">{t('confirmText')}</Text>
          {removing === session.held.kid && <Alert color="orange">{t('removingOwn')}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRemoving(undefined)}>
              {t('cancel')}
            </Button>
            <Button
              color="red"
              onClick={() => removing && remove.mutate(removing)}
              loading={remove.isPending}
            >
              {t('remove')}
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal opened={opened} onClose={close} title={t('addTitle')}>
        <Stack>
          <Text size="sm">{t('addText')}</Text>
          <TextInput
            label={t('kid')}
            description={t('kidHelp')}
            value={kid}
            onChange={(e) => setKid(e.currentTarget.value.trim())}
            error={kidError}
            required
          />
          <ProblemAlert error={add.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('cancel')}
            </Button>
            <Button onClick={() => add.mutate()} disabled={!kid || !!kidError} loading={add.isPending}>
              {t('generate')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
