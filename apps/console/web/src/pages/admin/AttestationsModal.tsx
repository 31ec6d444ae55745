/**
 * Re-attest a participant (registry PUT /participants/{id}/attestations): its protection level and the
 * certifications it holds, each with evidence and expiry, e.g. when a health-data-handler certificate is
 * renewed. The list replaces the one attested before.
 */
import {
  Button,
  Checkbox,
  Group,
  Modal,
  Paper,
  Radio,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../auth/context';
import { ProblemAlert } from '../../components/ProblemAlert';
import { errorContrast } from './labels';
import { participantsKey } from './queries';
import {
  certifications as allCertifications,
  protectionLevels,
  type AttestedCertification,
  type Certification,
  type Participant,
  type ProtectionLevel,
} from './types';

const day = (iso: string | null | undefined) => {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export function AttestationsModal({
  participant: p,
  onClose,
}: {
  participant: Participant;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const details = new Map((p.certificationDetails ?? []).map((d) => [d.certification, d]));
  const [protection, setProtection] = useState<ProtectionLevel>(p.protection);
  const [held, setHeld] = useState<Certification[]>(p.certifications);
  const [evidence, setEvidence] = useState<Partial<Record<Certification, string>>>(
    Object.fromEntries(p.certifications.map((c) => [c, details.get(c)?.evidence ?? ''])),
  );
  const [expires, setExpires] = useState<Partial<Record<Certification, string>>>(
    Object.fromEntries(p.certifications.map((c) => [c, day(details.get(c)?.expiresAt)])),
  );
  const missing = held.filter((c) => c === 'health-data-handler' && (!evidence[c]?.trim() || !expires[c]));
  const save = useMutation({
    mutationFn: () => {
      const certifications: AttestedCertification[] = held.map((c) => {
        const e = evidence[c]?.trim() || null;
        const x = expires[c] ? new Date(`${expires[c]}T23:59:59`).toISOString() : null;
        return e || x ? { certification: c, evidence: e, expiresAt: x } : c;
      });
      return api.put<Participant>('registry', `/participants/${encodeURIComponent(p.id)}/attestations`, {
        certifications,
        protection,
      });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: participantsKey });
      notifications.show({
        closeButtonProps: { 'aria-label': t('admin:close') },
        color: 'teal',
        message: t('admin:attest.done', { name: p.legalName }),
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
      size="lg"
      title={t('admin:attest.title', { name: p.legalName })}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <Text size="sm">{t('admin:attest.explain')}</Text>
          <Radio.Group
            label={t('admin:onboard.fields.protection')}
            value={protection}
            onChange={(v) => setProtection(v)}
          >
            <Group mt="xs">
              {protectionLevels.map((l) => (
                <Radio key={l} value={l} label={t(`admin:protection.${l}.label`)} />
              ))}
            </Group>
          </Radio.Group>
          <Checkbox.Group
            label={t('admin:onboard.fields.certifications')}
            value={held}
            onChange={(v) => setHeld(v)}
          >
            <Group mt="xs">
              {allCertifications.map((c) => (
                <Checkbox key={c} value={c} label={t(`admin:certification.${c}.label`)} />
              ))}
            </Group>
          </Checkbox.Group>
          {held.map((c) => (
            <Paper key={c} withBorder p="sm">
              <Text fw={600} size="sm" mb={4}>
                {t('admin:onboard.fields.termsFor', { name: t(`admin:certification.${c}.label`) })}
              </Text>
              <SimpleGrid cols={2}>
                <TextInput
                  label={t('admin:onboard.fields.evidence')}
                  required={c === 'health-data-handler'}
                  maxLength={500}
                  value={evidence[c] ?? ''}
                  onChange={(e) => setEvidence({ ...evidence, [c]: e.currentTarget.value })}
                />
                <TextInput
                  type="date"
                  label={t('admin:onboard.fields.expires')}
                  required={c === 'health-data-handler'}
                  value={expires[c] ?? ''}
                  onChange={(e) => setExpires({ ...expires, [c]: e.currentTarget.value })}
                />
              </SimpleGrid>
            </Paper>
          ))}
          <ProblemAlert error={save.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('admin:cancel')}
            </Button>
            <Button
              type="submit"
              loading={save.isPending}
              disabled={missing.length > 0}
              data-testid="save-attestations"
            >
              {t('admin:attest.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
