/**
 * Offboarding, for good: first what it will do (clearing's preview of the live grants the participant is
 * party to and the deletion obligations their revocation creates), then a reason and the participant's name
 * typed to confirm. Without the preview there is no offboarding from here.
 */
import {
  Alert,
  Button,
  Code,
  Group,
  List,
  Loader,
  Modal,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/problem';
import { useApi } from '../../auth/context';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import { previewMissing } from './preview';
import { participantsKey } from './queries';
import { alertText, errorContrast } from './labels';
import type { ImpactGrant, OffboardingImpact, Participant } from './types';

const liveCount = (i: OffboardingImpact) => i.counts.asOriginator + i.counts.asConsumer;

export function OffboardModal({
  participant: p,
  names,
  onClose,
}: {
  participant: Participant;
  names: Map<string, string>;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const impactPath = `/participants/${encodeURIComponent(p.id)}/offboarding-impact`;
  const impact = useQuery({
    queryKey: ['admin', 'offboarding-impact', p.id],
    queryFn: () => api.get<OffboardingImpact>('clearing', impactPath),
    retry: (count, error) => count < 1 && !(error instanceof ApiError && error.status < 500),
    staleTime: 0,
  });
  const offboard = useMutation({
    mutationFn: () =>
      api.post<Participant>('registry', `/participants/${encodeURIComponent(p.id)}/offboard`, {
        reason: reason.trim(),
      }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: participantsKey });
    },
  });
  // After offboarding: clearing revokes the grants as it reads the registry's event; follow it to zero.
  const after = useQuery({
    queryKey: ['admin', 'offboarding-after', p.id],
    queryFn: () => api.get<OffboardingImpact>('clearing', impactPath),
    enabled: offboard.isSuccess,
    refetchInterval: (q) => (q.state.data && liveCount(q.state.data) === 0 ? false : 1000),
  });

  const nameMatches = typed.trim() === p.legalName.trim();
  const ready = impact.isSuccess && reason.trim() !== '' && nameMatches && !offboard.isSuccess;
  const who = (id: string) => names.get(id) ?? id;

  return (
    <Modal
      opened
      styles={{ root: errorContrast }}
      closeButtonProps={{ 'aria-label': t('admin:close') }}
      onClose={onClose}
      size="xl"
      title={t('admin:offboard.title', { name: p.legalName })}
      data-testid="offboard-modal"
    >
      {offboard.isSuccess ? (
        <Stack data-testid="offboard-result">
          <Alert
            color="teal"
            styles={alertText}
            icon={<IconCircleCheck />}
            title={t('admin:offboard.done', { name: p.legalName })}
          >
            <Stack gap={4}>
              <Text size="sm">
                {t('admin:offboard.doneStatus', {
                  status: t(`admin:status.${offboard.data.status}`, { defaultValue: offboard.data.status }),
                })}
              </Text>
              {offboard.data.offboardReason && (
                <Text size="sm">
                  {t('admin:offboard.doneReason', { reason: offboard.data.offboardReason })}
                </Text>
              )}
            </Stack>
          </Alert>
          {after.data ? (
            liveCount(after.data) === 0 ? (
              <Text size="sm" data-testid="offboard-revoked">
                {t('admin:offboard.allRevoked')}
              </Text>
            ) : (
              <Group gap="xs">
                <Loader size="xs" aria-hidden />
                <Text size="sm" aria-live="polite">
                  {t('admin:offboard.revoking', { count: liveCount(after.data) })}
                </Text>
              </Group>
            )
          ) : (
            <ProblemAlert error={after.error} />
          )}
          <Group justify="flex-end">
            <Button onClick={onClose}>{t('admin:close')}</Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (ready) offboard.mutate();
          }}
        >
          <Stack>
            <Text size="sm">{t('admin:offboard.explain')}</Text>
            <Title order={2} size="h4">
              {t('admin:offboard.previewTitle')}
            </Title>
            {impact.isPending && <Loader size="sm" aria-label={t('admin:loading')} />}
            {impact.isError &&
              (previewMissing(impact.error) ? (
                <Alert
                  color="orange"
                  styles={alertText}
                  icon={<IconAlertTriangle />}
                  title={t('admin:offboard.previewUnavailable')}
                  role="alert"
                  data-testid="preview-unavailable"
                >
                  {t('admin:offboard.previewUnavailableDetail')}
                </Alert>
              ) : (
                <ProblemAlert error={impact.error} title={t('admin:offboard.previewFailed')} />
              ))}
            {impact.data && <Impact impact={impact.data} who={who} />}
            <Textarea
              label={t('admin:offboard.reason')}
              description={t('admin:offboard.reasonHelp')}
              required
              autosize
              minRows={2}
              maxLength={500}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              disabled={!impact.isSuccess}
              data-testid="offboard-reason"
            />
            <TextInput
              label={t('admin:offboard.typeName', { name: p.legalName })}
              description={t('admin:offboard.typeNameHelp')}
              required
              value={typed}
              onChange={(e) => setTyped(e.currentTarget.value)}
              disabled={!impact.isSuccess}
              error={typed !== '' && !nameMatches ? t('admin:offboard.nameMismatch') : undefined}
              autoComplete="off"
              data-testid="offboard-name"
            />
            <ProblemAlert error={offboard.error} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                {t('admin:cancel')}
              </Button>
              <Button
                type="submit"
                color="red.9"
                disabled={!ready}
                loading={offboard.isPending}
                data-testid="confirm-offboard"
              >
                {t('admin:offboard.confirm', { name: p.legalName })}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function Impact({ impact, who }: { impact: OffboardingImpact; who: (id: string) => string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const c = impact.counts;
  const grants: (ImpactGrant & { side: 'asOriginator' | 'asConsumer' })[] = [
    ...impact.asOriginator.map((g) => ({ ...g, side: 'asOriginator' as const })),
    ...impact.asConsumer.map((g) => ({ ...g, side: 'asConsumer' as const })),
  ];
  return (
    <Stack gap="sm" data-testid="offboard-impact">
      <List size="sm" spacing={2}>
        <List.Item data-testid="impact-originator">
          {t('admin:offboard.countOriginator', { count: c.asOriginator })}
        </List.Item>
        <List.Item data-testid="impact-consumer">
          {t('admin:offboard.countConsumer', { count: c.asConsumer })}
        </List.Item>
        <List.Item>{t('admin:offboard.countGranted', { count: c.granted })}</List.Item>
        <List.Item>{t('admin:offboard.countRequested', { count: c.requested })}</List.Item>
        {c.suspended > 0 && (
          <List.Item>{t('admin:offboard.countSuspended', { count: c.suspended })}</List.Item>
        )}
        <List.Item data-testid="impact-obligations">
          {t('admin:offboard.countObligations', { count: c.deletionObligations })}
        </List.Item>
      </List>
      {impact.truncated && (
        <Alert color="blue" styles={alertText} icon={<IconInfoCircle />}>
          {t('admin:offboard.truncated')}
        </Alert>
      )}
      {grants.length > 0 && (
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing={4} data-testid="impact-grants">
            <Table.Caption>{t('admin:offboard.grantsCaption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('admin:offboard.columns.dataset')}</Table.Th>
                <Table.Th scope="col">{t('admin:offboard.columns.side')}</Table.Th>
                <Table.Th scope="col">{t('admin:offboard.columns.counterpart')}</Table.Th>
                <Table.Th scope="col">{t('admin:offboard.columns.purpose')}</Table.Th>
                <Table.Th scope="col">{t('admin:offboard.columns.state')}</Table.Th>
                <Table.Th scope="col">{t('admin:offboard.columns.outcome')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {grants.map((g) => (
                <Table.Tr key={`${g.side}:${g.id}`}>
                  <Table.Td>
                    <Code>{g.dataset}</Code>
                  </Table.Td>
                  <Table.Td>{t(`admin:offboard.side.${g.side}`)}</Table.Td>
                  <Table.Td>{who(g.counterpart)}</Table.Td>
                  <Table.Td>{g.purpose}</Table.Td>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {t(`admin:grantState.${g.state}`, { defaultValue: g.state })}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{t(`admin:offboard.outcome.${g.state}`)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {impact.deletionObligations.length > 0 && (
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing={4} data-testid="impact-deletions">
            <Table.Caption>{t('admin:offboard.deletionsCaption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('admin:offboard.columns.dataset')}</Table.Th>
                <Table.Th scope="col">{t('admin:offboard.columns.consumer')}</Table.Th>
                <Table.Th scope="col">{t('admin:offboard.columns.originator')}</Table.Th>
                <Table.Th scope="col">{t('admin:offboard.columns.due')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {impact.deletionObligations.map((d) => (
                <Table.Tr key={d.grantId}>
                  <Table.Td>
                    <Code>{d.dataset}</Code>
                  </Table.Td>
                  <Table.Td>{who(d.consumer)}</Table.Td>
                  <Table.Td>{who(d.originator)}</Table.Td>
                  <Table.Td>
                    {t('admin:offboard.dueIn', { days: d.deletionDays, date: format.dateTime(d.dueAt) })}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {grants.length === 0 && (
        <Text size="sm" c="dimmed" data-testid="impact-none">
          {t('admin:offboard.nothingLive')}
        </Text>
      )}
    </Stack>
  );
}
