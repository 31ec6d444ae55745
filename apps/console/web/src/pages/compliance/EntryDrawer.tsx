/**
 * One audit entry in full: for a decision its input, result, obligations, policy revision and why (the
 * deciding rule and the plain-language explanation); for a security refusal what was refused and why;
 * for every entry its place on the hash chain.
 */
import {
  Alert,
  Anchor,
  Badge,
  Code,
  CopyButton,
  Button,
  Drawer,
  Group,
  List,
  Loader,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconBulb, IconCopy, IconLink } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useApi } from '../../auth/context';
import { explain } from '../../components/explain';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import { entryAt, explanationsOf, purposeOf, ruleOf, type AuditEntry } from './api';
import { ResultBadge } from './EntryTable';

function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <div
      role="region"
      aria-label={label}
      tabIndex={0}
      style={{ maxHeight: 320, overflow: 'auto', borderRadius: 'var(--mantine-radius-sm)' }}
    >
      <Code block style={{ fontSize: 12 }}>
        {JSON.stringify(value ?? null, null, 2)}
      </Code>
    </div>
  );
}

function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <Stack gap={4} data-testid={testId}>
      <Title order={3} size="h5">
        {title}
      </Title>
      {children}
    </Stack>
  );
}

function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <Table withRowBorders={false} verticalSpacing={2} layout="fixed">
      <Table.Tbody>
        {rows.map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Th w={170} scope="row" fw={600} fz="sm">
              {k}
            </Table.Th>
            <Table.Td fz="sm" style={{ wordBreak: 'break-all' }}>
              {v ?? '—'}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

const text = (v: unknown) => (typeof v === 'string' && v ? v : null);

function Why({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const rule = ruleOf(entry);
  const explanations = explanationsOf(entry);
  const reasons = Array.isArray(entry.record.reasons) ? (entry.record.reasons as string[]) : [];
  return (
    <Section title={t('compliance:detail.why')} testId="entry-why">
      <Alert
        color={entry.allow ? 'teal.9' : 'red.9'}
        variant="outline"
        icon={<IconBulb aria-hidden />}
        title={
          <Group gap={6}>
            <span>{t('compliance:detail.rule')}</span>
            {rule ? <Code data-testid="entry-rule">{rule}</Code> : '—'}
          </Group>
        }
      >
        {explanations.length > 0 ? (
          <List size="sm" data-testid="entry-explanation">
            {explanations.map((e, i) => (
              <List.Item key={`${e.code}:${i}`}>{explain(t, e)}</List.Item>
            ))}
          </List>
        ) : (
          <Text size="sm" data-testid="entry-explanation">
            {reasons.length > 0
              ? t('compliance:detail.reasonsOnly', { reasons: reasons.join(', ') })
              : entry.allow
                ? t('compliance:detail.allowedNoExplanation')
                : t('compliance:detail.noReasons')}
          </Text>
        )}
      </Alert>
      {reasons.length > 1 && (
        <Text size="sm">
          {t('compliance:detail.allReasons')}{' '}
          {reasons.map((r) => (
            <Code key={r} mr={4}>
              {r}
            </Code>
          ))}
        </Text>
      )}
    </Section>
  );
}

function DecisionBody({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation('compliance');
  const r = entry.record;
  return (
    <>
      <Why entry={entry} />
      <Section title={t('detail.result')}>
        <Facts
          rows={[
            [t('entries.result'), <ResultBadge key="r" kind={entry.kind} allow={entry.allow} />],
            [t('entries.action'), text(r.action)],
            [t('entries.purpose'), purposeOf(entry)],
            [
              t('detail.revision'),
              (text(entry.policyRevision) ?? text(r.policyRevision)) && (
                <Code>{text(entry.policyRevision) ?? text(r.policyRevision)}</Code>
              ),
            ],
            [t('detail.service'), text(r.service)],
            [t('detail.trace'), text(r.traceId)],
          ]}
        />
      </Section>
      <Section title={t('detail.obligations')} testId="entry-obligations">
        <Json value={r.obligations} label={t('detail.obligations')} />
      </Section>
      <Section title={t('detail.input')} testId="entry-input">
        <Json value={r.input} label={t('detail.input')} />
      </Section>
    </>
  );
}

function RefusalBody({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation('compliance');
  const fmt = useFormat();
  const r = entry.record;
  const claim = r.claimed && typeof r.claimed === 'object' ? (r.claimed as Record<string, unknown>) : null;
  const claimed = claim ? (text(claim.sub) ?? text(claim.iss) ?? '—') : null;
  return (
    <>
      <Section title={t('detail.refusal')} testId="entry-why">
        <Facts
          rows={[
            [t('detail.code'), text(r.code) && <Code data-testid="entry-rule">{text(r.code)}</Code>],
            [t('detail.status'), typeof r.status === 'number' ? String(r.status) : null],
            [t('detail.route'), text(r.route) && <Code>{`${text(r.method) ?? ''} ${text(r.route)}`}</Code>],
            [t('detail.category'), text(r.category)],
            [t('detail.count'), typeof r.count === 'number' ? fmt.number(r.count) : null],
            [t('detail.window'), `${fmt.dateTime(text(r.firstAt))} – ${fmt.dateTime(text(r.lastAt))}`],
            [t('detail.claimed'), claimed ? `${claimed} (${t('detail.unverified')})` : null],
          ]}
        />
      </Section>
      <Section title={t('detail.record')}>
        <Json value={r} label={t('detail.record')} />
      </Section>
    </>
  );
}

export function EntryDrawer({ seq, onClose }: { seq: number | null; onClose: () => void }) {
  const { t } = useTranslation('compliance');
  const fmt = useFormat();
  const api = useApi();
  const entry = useQuery({
    queryKey: ['compliance', 'entry', seq],
    queryFn: ({ signal }) => entryAt(api, seq!, signal),
    enabled: seq !== null,
    staleTime: Infinity,
  });
  const e = entry.data;
  return (
    <Drawer
      opened={seq !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={<Text fw={700}>{t('detail.title', { seq })}</Text>}
      closeButtonProps={{ 'aria-label': t('detail.close') }}
      data-testid="entry-drawer"
    >
      {entry.isPending && seq !== null && <Loader aria-label={t('entries.loading')} />}
      {entry.error && <ProblemAlert error={entry.error} />}
      {entry.isSuccess && !e && (
        <Alert color="gray.8" variant="outline">
          {t('detail.notFound', { seq })}
        </Alert>
      )}
      {e && (
        <Stack gap="md" data-testid="entry-detail">
          <Group gap="xs">
            <Badge variant="outline">{t(`kinds.${e.kind}`, { defaultValue: e.kind })}</Badge>
            <ResultBadge kind={e.kind} allow={e.allow} />
            <CopyButton value={window.location.href}>
              {({ copied, copy }) => (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  leftSection={copied ? <IconCopy size={12} /> : <IconLink size={12} />}
                  onClick={copy}
                >
                  {copied ? t('detail.linkCopied') : t('detail.copyLink')}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Facts
            rows={[
              [t('entries.seq'), String(e.seq)],
              [t('entries.at'), fmt.dateTime(e.at)],
              [t('entries.actor'), <Code key="a">{e.actor}</Code>],
              [t('entries.dataset'), e.dataset],
              [t('detail.grant'), e.grant && <Code>{e.grant}</Code>],
              [t('detail.id'), <Code key="i">{e.id}</Code>],
            ]}
          />
          {e.kind === 'decision' ? (
            <DecisionBody entry={e} />
          ) : e.kind === 'security.refusal' ? (
            <RefusalBody entry={e} />
          ) : (
            <Section title={t('detail.record')}>
              <Json value={e.record} label={t('detail.record')} />
            </Section>
          )}
          <Section title={t('detail.chain')}>
            <Facts
              rows={[
                [t('detail.hash'), <Code key="h">{e.hash}</Code>],
                [t('detail.prevHash'), <Code key="p">{e.prevHash}</Code>],
              ]}
            />
            <Text size="xs">
              <Anchor component={Link} to="/compliance/verify">
                {t('detail.verifyHint')}
              </Anchor>
            </Text>
          </Section>
        </Stack>
      )}
    </Drawer>
  );
}
