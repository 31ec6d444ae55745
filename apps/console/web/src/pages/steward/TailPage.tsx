/**
 * A live tail of a stream this participant holds a grant for: a subscribe token from clearing, then the
 * exchange's NDJSON delivery stream, shown as it arrives. Pausing holds new lines back (the stream stays
 * open); the last N are kept. The final `end` line says why the stream ended (e.g. the grant was revoked).
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import {
  IconPlayerPause,
  IconPlayerPlay,
  IconPlayerStop,
  IconPlugConnected,
  IconPlugConnectedX,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import { seg, readable } from './common';
import type { DatasetToken, Grant, StreamLine } from './types';

type Shown = Exclude<StreamLine, { type: 'heartbeat' }> & { n: number; receivedAt: string };
type Status = 'idle' | 'connecting' | 'live' | 'ended' | 'failed';

export function TailPage() {
  const { t } = useTranslation();
  const api = useApi();
  const f = useFormat();
  const [params, setParams] = useSearchParams();
  const grants = useQuery({
    queryKey: ['steward', 'grants', 'consumer', 'granted'],
    queryFn: ({ signal }) =>
      api.get<Grant[]>('clearing', '/grants', { query: { role: 'consumer', state: 'granted' }, signal }),
  });
  const grantId = params.get('grant');
  const grant = grants.data?.find((g) => g.id === grantId) ?? (grantId ? undefined : grants.data?.[0]);
  const [from, setFrom] = useState('resume');
  const [positions, setPositions] = useState('');
  const [keep, setKeep] = useState<number | string>(200);
  const [status, setStatus] = useState<Status>('idle');
  const [error, setError] = useState<unknown>();
  const [lines, setLines] = useState<Shown[]>([]);
  const [held, setHeld] = useState<Shown[]>([]);
  const [paused, setPaused] = useState(false);
  const [heartbeat, setHeartbeat] = useState<{ at: string; count: number } | null>(null);
  const [end, setEnd] = useState<{ code: string; message: string } | null>(null);
  const [lastPosition, setLastPosition] = useState<Record<string, string>>({});
  const controller = useRef<AbortController | null>(null);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const keepRef = useRef(Number(keep) || 200);
  keepRef.current = Math.max(1, Number(keep) || 200);
  const counter = useRef(0);

  const add = useCallback((line: Shown) => {
    const cap = (list: Shown[]) => list.slice(-keepRef.current);
    if (pausedRef.current) setHeld((h) => cap([...h, line]));
    else setLines((l) => cap([...l, line]));
  }, []);

  const stop = useCallback(() => {
    controller.current?.abort();
    controller.current = null;
  }, []);
  useEffect(() => stop, [stop]);

  const start = async () => {
    if (!grant) return;
    stop();
    const abort = new AbortController();
    controller.current = abort;
    setStatus('connecting');
    setError(undefined);
    setEnd(null);
    setHeartbeat(null);
    try {
      const token = await api.post<DatasetToken>('clearing', '/tokens/dataset', {
        dataset: grant.dataset,
        action: 'subscribe',
        grantId: grant.id,
      });
      const after = from === 'start' ? 'start' : from === 'positions' ? positions.trim() : undefined;
      const res = await api.send('GET', 'exchange', `/datasets/${seg(grant.dataset)}/stream`, {
        token: token.access_token,
        query: { after },
        signal: abort.signal,
        headers: { accept: 'application/x-ndjson' },
      });
      setStatus('live');
      for await (const text of api.lines(res)) {
        let line: StreamLine;
        try {
          line = JSON.parse(text) as StreamLine;
        } catch {
          continue;
        }
        if (line.type === 'heartbeat') {
          setHeartbeat((h) => ({ at: line.at, count: (h?.count ?? 0) + 1 }));
          continue;
        }
        if (line.type === 'event') {
          const [partition, offset] = line.position.split(':');
          if (partition !== undefined && offset !== undefined)
            setLastPosition((p) => ({ ...p, [partition]: offset }));
        }
        add({ ...line, n: ++counter.current, receivedAt: new Date().toISOString() });
        if (line.type === 'end') {
          setEnd({ code: line.code, message: line.message });
          break;
        }
      }
      setEnd((e) => e ?? { code: 'STREAM.CLOSED', message: t('steward:tail.closed') });
      setStatus('ended');
    } catch (e) {
      if (abort.signal.aborted) {
        setStatus('idle');
        return;
      }
      setError(e);
      setStatus('failed');
    } finally {
      if (controller.current === abort) controller.current = null;
    }
  };

  const resume = () => {
    setPaused(false);
    setLines((l) => [...l, ...held].slice(-keepRef.current));
    setHeld([]);
  };
  const resumeAfter = Object.entries(lastPosition)
    .map(([p, o]) => `${p}:${o}`)
    .join(',');
  const running = status === 'live' || status === 'connecting';

  return (
    <>
      <PageHeader title={t('steward:tail.title')} description={t('steward:tail.description')} />
      <ProblemAlert error={grants.error} />
      <Paper withBorder p="md" mb="md">
        <Stack>
          <Group align="flex-end" wrap="wrap">
            <Select
              label={t('steward:tail.grant')}
              placeholder={t('steward:tail.chooseGrant')}
              data={(grants.data ?? []).map((g) => ({
                value: g.id,
                label: `${g.dataset} — ${g.purpose}`,
              }))}
              value={grant?.id ?? null}
              onChange={(v) => v && setParams({ grant: v })}
              disabled={running}
              miw={320}
              allowDeselect={false}
              nothingFoundMessage={t('steward:tail.noGrants')}
              data-testid="tail-grant"
            />
            <div>
              <Text size="sm" fw={500} id="tail-from">
                {t('steward:tail.from')}
              </Text>
              <SegmentedControl
                aria-labelledby="tail-from"
                value={from}
                onChange={setFrom}
                disabled={running}
                data={[
                  { value: 'resume', label: t('steward:tail.fromResume') },
                  { value: 'start', label: t('steward:tail.fromStart') },
                  { value: 'positions', label: t('steward:tail.fromPositions') },
                ]}
              />
            </div>
            {from === 'positions' && (
              <TextInput
                label={t('steward:tail.positions')}
                description={t('steward:tail.positionsHelp')}
                placeholder="0:41,2:17"
                value={positions}
                onChange={(e) => setPositions(e.currentTarget.value)}
                disabled={running}
              />
            )}
            <NumberInput
              label={t('steward:tail.keep')}
              value={keep}
              onChange={setKeep}
              min={10}
              max={5000}
              step={50}
              w={140}
            />
          </Group>
          <Group>
            {running ? (
              <Button
                variant="default"
                leftSection={<IconPlayerStop size={16} />}
                onClick={stop}
                data-testid="tail-stop"
              >
                {t('steward:tail.stop')}
              </Button>
            ) : (
              <Button
                leftSection={<IconPlugConnected size={16} />}
                onClick={() => void start()}
                disabled={!grant}
                data-testid="tail-start"
              >
                {t('steward:tail.start')}
              </Button>
            )}
            {paused ? (
              <Button
                variant="default"
                leftSection={<IconPlayerPlay size={16} />}
                onClick={resume}
                data-testid="tail-resume"
              >
                {t('steward:tail.resume', { count: held.length })}
              </Button>
            ) : (
              <Button
                variant="default"
                leftSection={<IconPlayerPause size={16} />}
                onClick={() => setPaused(true)}
                data-testid="tail-pause"
              >
                {t('steward:tail.pause')}
              </Button>
            )}
            <Button variant="subtle" onClick={() => setLines([])}>
              {t('steward:tail.clear')}
            </Button>
            <StatusBadge status={status} />
            {heartbeat && (
              <Text size="xs" c="dimmed" data-testid="tail-heartbeat">
                {t('steward:tail.heartbeat', { at: f.dateTime(heartbeat.at), count: heartbeat.count })}
              </Text>
            )}
          </Group>
          {resumeAfter && (
            <Text size="xs" c="dimmed">
              {t('steward:tail.lastPositions')} <Code>{resumeAfter}</Code>
            </Text>
          )}
        </Stack>
      </Paper>
      <ProblemAlert error={error} title={t('steward:tail.refused')} />
      {end && (
        <Alert
          styles={readable}
          color={end.code === 'STREAM.CLOSED' ? 'gray' : 'orange'}
          icon={<IconPlugConnectedX />}
          title={t('steward:tail.ended')}
          mb="md"
          data-testid="tail-end"
          role="status"
        >
          <Text size="sm">{end.message}</Text>
          <Text size="xs">
            <Code>{end.code}</Code>
          </Text>
        </Alert>
      )}
      <section aria-labelledby="tail-lines-title">
        <Group justify="space-between" mb="xs">
          <Title order={2} size="h4" id="tail-lines-title">
            {t('steward:tail.lines', { count: lines.length })}
          </Title>
          {paused && held.length > 0 && (
            <Badge color="dark" variant="outline">
              {t('steward:tail.held', { count: held.length })}
            </Badge>
          )}
        </Group>
        <Stack gap="xs" role="log" aria-live="polite" data-testid="tail-lines">
          {lines.length === 0 && <Text c="dimmed">{t('steward:tail.nothingYet')}</Text>}
          {[...lines].reverse().map((line) => (
            <LineCard key={line.n} line={line} />
          ))}
        </Stack>
      </section>
    </>
  );
}

function StatusBadge({ status }: { status: Status }) {
  const { t } = useTranslation();
  const color = { idle: 'gray', connecting: 'blue', live: 'green', ended: 'orange', failed: 'red' }[status];
  return (
    <Badge color={color} variant="dot" data-testid="tail-status" data-status={status}>
      {t(`steward:tail.status.${status}`)}
    </Badge>
  );
}

function LineCard({ line }: { line: Shown }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (line.type === 'event') {
    const e = line.event;
    return (
      <Card withBorder p="xs" data-testid="tail-event">
        <Group gap="xs" justify="space-between">
          <Group gap="xs">
            <Badge size="sm" variant="outline" tt="none">
              {e.type}
            </Badge>
            {e.subject && <Code>{e.subject}</Code>}
            <Text size="xs" c="dimmed">
              {t('steward:tail.occurred', { at: f.dateTime(e.occurredAt) })} · v{e.contractVersion}
            </Text>
          </Group>
          <Text size="xs" c="dimmed">
            {t('steward:tail.position')} <Code>{line.position}</Code>
          </Text>
        </Group>
        <Code block mt={4} fz="xs">
          {JSON.stringify(e.payload)}
        </Code>
        {e.erased && e.erased.length > 0 && (
          <Text size="xs" c="red.9">
            {t('steward:tail.erased', { fields: e.erased.join(', ') })}
          </Text>
        )}
      </Card>
    );
  }
  if (line.type === 'notice')
    return (
      <Alert styles={readable} color="blue" p="xs" title={line.code} data-testid="tail-notice">
        <Text size="sm">{line.message}</Text>
        {line.reason && <Text size="xs">{line.reason}</Text>}
      </Alert>
    );
  return (
    <Alert styles={readable} color="orange" p="xs" title={t('steward:tail.endLine', { code: line.code })}>
      <Text size="sm">{line.message}</Text>
    </Alert>
  );
}
