/**
 * CSV and NDJSON exports of what the explorer shows (the same filters, every matching entry): streamed from
 * the API with the signed-in token, counted as they arrive, then saved as a file.
 */
import { Button, Group, Paper, Progress, Text } from '@mantine/core';
import { IconFileDownload, IconX } from '@tabler/icons-react';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Query } from '../../api/client';
import { useApi } from '../../auth/context';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import { humanBytes, readWithProgress, saveBlob, suggestedName } from './download';

type Format = 'csv' | 'ndjson';

interface Progress {
  format: Format;
  bytes: number;
  lines: number;
  done: boolean;
  filename?: string;
}

export function ExportButtons({ query }: { query: Query }) {
  const { t } = useTranslation('compliance');
  const fmt = useFormat();
  const api = useApi();
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);
  const running = progress !== null && !progress.done;

  async function run(format: Format) {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setError(null);
    setProgress({ format, bytes: 0, lines: 0, done: false });
    try {
      const res = await api.send('GET', 'clearing', '/audit/entries', {
        query: { ...query, format },
        signal: controller.signal,
        headers: { accept: format === 'csv' ? 'text/csv' : 'application/x-ndjson' },
      });
      let total = 0;
      const blob = await readWithProgress(res, ({ bytes, lines }) => {
        total = lines;
        setProgress({ format, bytes, lines, done: false });
      });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const filename = suggestedName(res, `renkei-audit-${stamp}.${format}`);
      saveBlob(blob, filename);
      // One entry a line (JSON escapes line breaks inside values); the CSV header row is not an entry.
      const entries = format === 'csv' ? Math.max(0, total - 1) : total;
      setProgress({ format, bytes: blob.size, lines: entries, done: true, filename });
    } catch (e) {
      setProgress(null);
      if (!controller.signal.aborted) setError(e);
    }
  }

  return (
    <Group gap="xs" align="flex-start">
      <Button
        variant="default"
        leftSection={<IconFileDownload size={16} aria-hidden />}
        onClick={() => void run('csv')}
        disabled={running}
        data-testid="export-csv"
      >
        {t('export.csv')}
      </Button>
      <Button
        variant="default"
        leftSection={<IconFileDownload size={16} aria-hidden />}
        onClick={() => void run('ndjson')}
        disabled={running}
        data-testid="export-ndjson"
      >
        {t('export.ndjson')}
      </Button>
      {progress && (
        <Paper withBorder p="xs" w={320} data-testid="export-status" aria-live="polite">
          {progress.done ? (
            <Text size="sm">
              {t('export.saved', {
                file: progress.filename,
                size: humanBytes(progress.bytes, fmt.lng),
                count: progress.lines,
                n: fmt.number(progress.lines),
              })}
            </Text>
          ) : (
            <>
              <Text size="sm">
                {t('export.running', {
                  format: progress.format.toUpperCase(),
                  size: humanBytes(progress.bytes, fmt.lng),
                })}
              </Text>
              <Progress value={100} animated striped mt={4} aria-label={t('export.progress')} />
              <Button
                size="compact-xs"
                variant="subtle"
                mt={4}
                leftSection={<IconX size={12} aria-hidden />}
                onClick={() => {
                  abort.current?.abort();
                  setProgress(null);
                }}
              >
                {t('export.cancel')}
              </Button>
            </>
          )}
        </Paper>
      )}
      {error !== null && <ProblemAlert error={error} title={t('export.failed')} />}
    </Group>
  );
}
