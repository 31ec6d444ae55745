/** Small pieces the steward pages share: ids, state badges, and an action that asks why. */
import { Badge, Button, Code, Group, Modal, Stack, Text, Textarea, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconCircleCheck,
  IconCircleDashed,
  IconCircleX,
  IconClockPause,
  IconHourglass,
  IconBan,
} from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSignedIn } from '../../auth/context';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { ContractStatus, GrantState } from './types';

export const useMe = () => useSignedIn().identity.participant;

/** A path segment: dataset ids are dotted names, safe in a URL, but encode anyway. */
export const seg = (value: string) => encodeURIComponent(value);

/** A participant id, short, with the whole id on hover and for screen readers; "you" for oneself. */
export function ParticipantId({ id }: { id: string | null | undefined }) {
  const { t } = useTranslation();
  const me = useMe();
  if (!id) return <>—</>;
  if (id === me)
    return (
      <Text span fw={600}>
        {t('steward:you')}
      </Text>
    );
  return (
    <Tooltip label={id}>
      <Code aria-label={id}>{id.slice(0, 8)}</Code>
    </Tooltip>
  );
}

const grantLook: Record<GrantState, { color: string; icon: ReactNode }> = {
  requested: { color: 'yellow', icon: <IconHourglass size={12} /> },
  granted: { color: 'green', icon: <IconCircleCheck size={12} /> },
  suspended: { color: 'orange', icon: <IconClockPause size={12} /> },
  revoked: { color: 'red', icon: <IconBan size={12} /> },
  expired: { color: 'gray', icon: <IconCircleDashed size={12} /> },
  rejected: { color: 'red', icon: <IconCircleX size={12} /> },
};

/** The state in words, with an icon: never colour alone. */
export function GrantStateBadge({ state }: { state: GrantState }) {
  const { t } = useTranslation();
  const look = grantLook[state];
  return (
    <Badge
      color="dark"
      variant="outline"
      leftSection={
        <Text span c={`${look.color}.9`} lh={0}>
          {look.icon}
        </Text>
      }
      data-testid="grant-state"
    >
      {t(`steward:grantState.${state}`)}
    </Badge>
  );
}

const contractColor: Record<ContractStatus, string> = {
  draft: 'gray',
  active: 'green',
  deprecated: 'orange',
  retired: 'red',
};

export function ContractStatusBadge({ status }: { status: ContractStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={contractColor[status]} variant="dot" data-testid="contract-status">
      {t(`steward:contractStatus.${status}`)}
    </Badge>
  );
}

/**
 * A button that asks why before it acts: the reason goes on the record (and to the other party). The
 * refusal, if any, is shown in the dialog with the policy's rule and explanation.
 */
export function ReasonAction({
  label,
  title,
  description,
  color,
  reasonRequired = false,
  onConfirm,
  testId,
  variant = 'default',
}: {
  label: string;
  title: string;
  description?: string;
  color?: string;
  reasonRequired?: boolean;
  onConfirm: (reason: string | null) => Promise<unknown>;
  testId?: string;
  variant?: 'default' | 'filled' | 'outline' | 'subtle';
}) {
  const { t } = useTranslation();
  const [opened, { open, close }] = useDisclosure(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm(reason.trim() || null);
      setReason('');
      close();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button size="xs" variant={variant} onClick={open} data-testid={testId}>
        {label}
      </Button>
      <Modal
        opened={opened}
        onClose={close}
        title={title}
        centered
        closeButtonProps={{ 'aria-label': t('steward:close') }}
      >
        <Stack>
          {description && <Text size="sm">{description}</Text>}
          <Textarea
            label={t('steward:reason.label')}
            description={t('steward:reason.help')}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            required={reasonRequired}
            autosize
            minRows={2}
            maxLength={500}
            data-testid="reason"
            data-autofocus
          />
          <ProblemAlert error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('steward:cancel')}
            </Button>
            <Button
              color={color}
              loading={busy}
              disabled={reasonRequired && !reason.trim()}
              onClick={() => void confirm()}
              data-testid="confirm"
            >
              {label}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** A definition list row: term and its value. */
export function Term({ term, children }: { term: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Text size="sm" c="dimmed" miw={160} component="dt">
        {term}
      </Text>
      <Text size="sm" component="dd" m={0}>
        {children}
      </Text>
    </Group>
  );
}

/** Alert titles in the text colour: the light variants' coloured titles fall under 4.5:1 (WCAG AA). */
export const readable = { title: { color: 'var(--mantine-color-text)' } };
