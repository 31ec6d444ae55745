/**
 * Every participant of the consortium: status, roles, industry, country, certifications and protection;
 * search and filters; suspend, reactivate and offboard (each with a reason).
 */
import {
  Anchor,
  Button,
  Code,
  Group,
  Loader,
  Menu,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  IconCertificate,
  IconChevronDown,
  IconDoorExit,
  IconPlayerPause,
  IconPlayerPlay,
  IconSearch,
  IconUserPlus,
} from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import { errorContrast, StatusBadge, useCountryName } from './labels';
import { AttestationsModal } from './AttestationsModal';
import { OffboardModal } from './OffboardModal';
import { participantsKey, useParticipants } from './queries';
import { roles, statuses, type Participant } from './types';

type Action = { kind: 'suspend' | 'reactivate' | 'offboard' | 'attest'; participant: Participant };

export function ParticipantsPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const countryName = useCountryName();
  const participants = useParticipants();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [role, setRole] = useState<string | null>(null);
  const [action, setAction] = useState<Action | undefined>();

  const names = useMemo(
    () => new Map((participants.data ?? []).map((p) => [p.id, p.legalName])),
    [participants.data],
  );
  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (participants.data ?? [])
      .filter((p) => !status || p.status === status)
      .filter((p) => !role || p.roles.includes(role as Participant['roles'][number]))
      .filter(
        (p) =>
          !q ||
          [p.legalName, p.id, p.corporateNumber, p.lei, p.bpn, p.industry, p.country, countryName(p.country)]
            .filter(Boolean)
            .some((s) => s!.toLowerCase().includes(q)),
      )
      .sort((a, b) => a.legalName.localeCompare(b.legalName, format.lng));
  }, [participants.data, search, status, role, countryName, format.lng]);

  return (
    <>
      <PageHeader
        title={t('admin:participants.title')}
        description={t('admin:participants.description')}
        actions={
          <Button component={Link} to="/admin/onboard" leftSection={<IconUserPlus size={16} />}>
            {t('admin:participants.onboard')}
          </Button>
        }
      />
      <Group mb="md" align="flex-end" wrap="wrap">
        <TextInput
          label={t('admin:participants.search')}
          placeholder={t('admin:participants.searchPlaceholder')}
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={320}
          data-testid="participant-search"
        />
        <Select
          label={t('admin:participants.filterStatus')}
          placeholder={t('admin:participants.any')}
          clearable
          data={statuses.map((s) => ({ value: s, label: t(`admin:status.${s}`) }))}
          value={status}
          onChange={setStatus}
          w={180}
        />
        <Select
          label={t('admin:participants.filterRole')}
          placeholder={t('admin:participants.any')}
          clearable
          data={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
          value={role}
          onChange={setRole}
          w={200}
        />
        <Text size="sm" c="dimmed" aria-live="polite" data-testid="participant-count">
          {t('admin:participants.count', { count: shown.length, total: participants.data?.length ?? 0 })}
        </Text>
      </Group>
      <ProblemAlert error={participants.error} />
      {participants.isPending ? (
        <Loader aria-label={t('admin:loading')} />
      ) : (
        <Table.ScrollContainer minWidth={1050}>
          <Table striped highlightOnHover verticalSpacing="xs" data-testid="participants">
            <Table.Caption>{t('admin:participants.caption')}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('admin:participants.columns.name')}</Table.Th>
                <Table.Th scope="col">{t('admin:participants.columns.status')}</Table.Th>
                <Table.Th scope="col">{t('admin:participants.columns.roles')}</Table.Th>
                <Table.Th scope="col">{t('admin:participants.columns.industry')}</Table.Th>
                <Table.Th scope="col">{t('admin:participants.columns.country')}</Table.Th>
                <Table.Th scope="col">{t('admin:participants.columns.certifications')}</Table.Th>
                <Table.Th scope="col">{t('admin:participants.columns.protection')}</Table.Th>
                <Table.Th scope="col">{t('admin:participants.columns.onboarded')}</Table.Th>
                <Table.Th scope="col">{t('admin:participants.columns.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={9}>
                    <Text c="dimmed" size="sm">
                      {t('admin:participants.none')}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {shown.map((p) => (
                <Table.Tr key={p.id} data-testid="participant-row" data-participant={p.id}>
                  <Table.Td>
                    <Text fw={600} size="sm">
                      {p.legalName}
                    </Text>
                    <Text size="xs" c="dimmed" title={p.id}>
                      <Code>{p.id.slice(0, 8)}…</Code>
                    </Text>
                    {p.corporateNumber && (
                      <Text size="xs" c="dimmed">
                        {t('admin:participants.corporateNumber', { value: p.corporateNumber })}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={p.status} />
                    {p.offboardedAt && (
                      <Text size="xs" c="dimmed">
                        {format.dateTime(p.offboardedAt)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{p.roles.map((r) => t(`roles.${r}`)).join(', ')}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{p.industry}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{countryName(p.country)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Certifications participant={p} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{t(`admin:protection.${p.protection}.label`)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{format.dateTime(p.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <RowActions participant={p} onAction={setAction} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {action?.kind === 'attest' && (
        <AttestationsModal participant={action.participant} onClose={() => setAction(undefined)} />
      )}
      {action && (action.kind === 'suspend' || action.kind === 'reactivate') && (
        <StatusModal action={action} onClose={() => setAction(undefined)} />
      )}
      {action?.kind === 'offboard' && (
        <OffboardModal participant={action.participant} names={names} onClose={() => setAction(undefined)} />
      )}
    </>
  );
}

function Certifications({ participant: p }: { participant: Participant }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (p.certifications.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('admin:participants.noCertifications')}
      </Text>
    );
  const details = new Map((p.certificationDetails ?? []).map((d) => [d.certification, d]));
  return (
    <Stack gap={2}>
      {p.certifications.map((c) => {
        const d = details.get(c);
        return (
          <Text size="sm" key={c}>
            {t(`admin:certification.${c}.label`)}
            {d?.expiresAt && (
              <Text span size="xs" c={d.expired ? 'red.9' : 'dimmed'}>
                {' '}
                {t(d.expired ? 'admin:participants.expired' : 'admin:participants.expires', {
                  date: format.dateTime(d.expiresAt),
                })}
              </Text>
            )}
            {d?.evidence && (
              <Text span size="xs" c="dimmed">
                {' '}
                {/^https?:\/\//.test(d.evidence) ? (
                  <Anchor href={d.evidence} target="_blank" rel="noreferrer" size="xs">
                    {t('admin:participants.evidence')}
                  </Anchor>
                ) : (
                  <Tooltip label={d.evidence}>
                    <span>{t('admin:participants.evidenceRef', { ref: d.evidence })}</span>
                  </Tooltip>
                )}
              </Text>
            )}
          </Text>
        );
      })}
    </Stack>
  );
}

function RowActions({
  participant: p,
  onAction,
}: {
  participant: Participant;
  onAction: (a: Action) => void;
}) {
  const { t } = useTranslation();
  if (p.status === 'offboarded')
    return (
      <Text size="xs" c="dimmed">
        {t('admin:participants.final')}
      </Text>
    );
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          size="compact-sm"
          variant="default"
          rightSection={<IconChevronDown size={14} />}
          aria-label={t('admin:actions.menuNamed', { name: p.legalName })}
        >
          {t('admin:actions.menu')}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item
          leftSection={<IconCertificate size={14} />}
          onClick={() => onAction({ kind: 'attest', participant: p })}
        >
          {t('admin:actions.attest')}
        </Menu.Item>
        {p.status === 'suspended' ? (
          <Menu.Item
            leftSection={<IconPlayerPlay size={14} />}
            onClick={() => onAction({ kind: 'reactivate', participant: p })}
          >
            {t('admin:actions.reactivate')}
          </Menu.Item>
        ) : (
          <Menu.Item
            leftSection={<IconPlayerPause size={14} />}
            onClick={() => onAction({ kind: 'suspend', participant: p })}
          >
            {t('admin:actions.suspend')}
          </Menu.Item>
        )}
        <Menu.Divider />
        <Menu.Item
          color="red.9"
          leftSection={<IconDoorExit size={14} />}
          onClick={() => onAction({ kind: 'offboard', participant: p })}
        >
          {t('admin:actions.offboard')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/** Suspend (with a reason) or reactivate one participant. */
function StatusModal({ action, onClose }: { action: Action; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const { participant: p, kind } = action;
  const suspend = kind === 'suspend';
  const mutation = useMutation({
    mutationFn: () =>
      api.post<Participant>('registry', `/participants/${encodeURIComponent(p.id)}/${kind}`, {
        reason: reason.trim(),
      }),
    onSuccess: async (updated) => {
      queryClient.setQueryData<Participant[]>(participantsKey, (list) =>
        list?.map((x) => (x.id === updated.id ? updated : x)),
      );
      await queryClient.invalidateQueries({ queryKey: participantsKey });
      notifications.show({
        closeButtonProps: { 'aria-label': t('admin:close') },
        color: 'teal',
        message: t(suspend ? 'admin:suspend.done' : 'admin:reactivate.done', { name: p.legalName }),
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
      title={t(suspend ? 'admin:suspend.title' : 'admin:reactivate.title', { name: p.legalName })}
      size="lg"
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          mutation.mutate();
        }}
      >
        <Stack>
          <Text size="sm">{t(suspend ? 'admin:suspend.explain' : 'admin:reactivate.explain')}</Text>
          <Textarea
            label={t('admin:suspend.reason')}
            description={t(suspend ? 'admin:suspend.reasonHelp' : 'admin:reactivate.reasonHelp')}
            required={suspend}
            autosize
            minRows={2}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            data-testid="status-reason"
          />
          <ProblemAlert error={mutation.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('admin:cancel')}
            </Button>
            <Button
              type="submit"
              loading={mutation.isPending}
              disabled={suspend && reason.trim() === ''}
              data-testid="confirm-status"
            >
              {t(suspend ? 'admin:suspend.confirm' : 'admin:reactivate.confirm')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
