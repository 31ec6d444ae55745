/** "Request access" from a catalog entry: the consumer states a purpose and the terms it asks for. */
import {
  Button,
  Checkbox,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../auth/context';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { ContractView, Grant, GrantRequest } from './types';

/** The payload fields a consumer may ask for: the schema's properties and the contract's tagged fields. */
export function fieldNames(entry: ContractView): string[] {
  const props = (entry.schema.properties ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(props), ...Object.keys(entry.fields)])];
}

export function RequestAccessButton({ entry }: { entry: ContractView }) {
  const { t } = useTranslation();
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button size="xs" variant="light" onClick={open} data-testid={`request-${entry.dataset}`}>
        {t('steward:request.open')}
      </Button>
      {opened && <RequestAccessModal entry={entry} onClose={close} />}
    </>
  );
}

function RequestAccessModal({ entry, onClose }: { entry: ContractView; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [purpose, setPurpose] = useState<string | null>(entry.purposes[0] ?? null);
  const [fields, setFields] = useState<string[]>([]);
  const [validUntil, setValidUntil] = useState('');
  const [deletionDays, setDeletionDays] = useState<number | string>(30);
  const [onward, setOnward] = useState(false);
  const [history, setHistory] = useState('none');
  const [since, setSince] = useState('');
  const request = useMutation({
    mutationFn: (body: GrantRequest) => api.post<Grant>('clearing', '/grants', body),
    onSuccess: (grant) => {
      void client.invalidateQueries({ queryKey: ['steward', 'grants'] });
      notifications.show({
        color: 'green',
        title: t('steward:request.sent'),
        message: t('steward:request.sentDetail', { dataset: grant.dataset }),
      });
      onClose();
    },
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!purpose) return;
    request.mutate({
      dataset: entry.dataset,
      purpose,
      fields: fields.length ? fields : null,
      validUntil: validUntil ? new Date(`${validUntil}T00:00:00`).toISOString() : null,
      deletionDays: Number(deletionDays) || 0,
      onwardTransfer: onward,
      historyFrom:
        history === 'all' ? 'all' : history === 'since' && since ? new Date(since).toISOString() : null,
    });
  };
  return (
    <Modal
      opened
      onClose={onClose}
      title={t('steward:request.title', { dataset: entry.dataset })}
      size="lg"
      closeButtonProps={{ 'aria-label': t('steward:close') }}
    >
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm">{t('steward:request.intro')}</Text>
          <Select
            label={t('steward:request.purpose')}
            description={t('steward:request.purposeHelp')}
            data={entry.purposes}
            value={purpose}
            onChange={setPurpose}
            required
            allowDeselect={false}
            data-testid="request-purpose"
          />
          <MultiSelect
            label={t('steward:request.fields')}
            description={t('steward:request.fieldsHelp')}
            data={fieldNames(entry)}
            value={fields}
            onChange={setFields}
            clearable
          />
          <Group grow align="flex-start">
            <TextInput
              type="date"
              label={t('steward:request.validUntil')}
              description={t('steward:request.validUntilHelp')}
              value={validUntil}
              onChange={(e) => setValidUntil(e.currentTarget.value)}
            />
            <NumberInput
              label={t('steward:request.deletionDays')}
              description={t('steward:request.deletionDaysHelp')}
              value={deletionDays}
              onChange={setDeletionDays}
              min={0}
              max={3650}
            />
          </Group>
          <div>
            <Text size="sm" fw={500} id="history-label">
              {t('steward:request.history')}
            </Text>
            <SegmentedControl
              aria-labelledby="history-label"
              value={history}
              onChange={setHistory}
              data={[
                { value: 'none', label: t('steward:request.historyNone') },
                { value: 'all', label: t('steward:request.historyAll') },
                { value: 'since', label: t('steward:request.historySince') },
              ]}
            />
            {history === 'since' && (
              <TextInput
                mt="xs"
                type="datetime-local"
                label={t('steward:request.historySinceAt')}
                value={since}
                onChange={(e) => setSince(e.currentTarget.value)}
              />
            )}
          </div>
          <Checkbox
            label={t('steward:request.onward')}
            description={t('steward:request.onwardHelp')}
            checked={onward}
            onChange={(e) => setOnward(e.currentTarget.checked)}
          />
          <ProblemAlert error={request.error} title={t('steward:request.refused')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('steward:cancel')}
            </Button>
            <Button type="submit" loading={request.isPending} data-testid="request-submit">
              {t('steward:request.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
