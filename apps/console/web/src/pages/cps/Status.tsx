/** Badges for input and run states: a word and a tint, never the colour alone; dark text for contrast. */
import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { RunStatus } from './api';

const inputColours: Record<string, string> = {
  streaming: 'teal',
  connecting: 'blue',
  requested: 'yellow',
  'no-grant': 'gray',
  suspended: 'orange',
  revoked: 'red',
  expired: 'red',
  rejected: 'red',
  stopped: 'gray',
};

export function InputState({ state }: { state: string }) {
  const { t } = useTranslation();
  return (
    <Badge color={inputColours[state] ?? 'gray'} variant="light" c="dark.7" data-testid="input-state">
      {t(`cps:inputState.${state}`, { defaultValue: state })}
    </Badge>
  );
}

const runColours: Record<RunStatus, string> = {
  queued: 'gray',
  running: 'blue',
  succeeded: 'teal',
  failed: 'red',
};

export function RunState({ status }: { status: RunStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={runColours[status] ?? 'gray'} variant="light" c="dark.7" data-testid="run-status">
      {t(`cps:runStatus.${status}`, { defaultValue: status })}
    </Badge>
  );
}
