/**
 * A run's progress as the service pushes it: GET /runs/{id}/events (Server-Sent Events), read with fetch so
 * the Bearer token goes along (EventSource cannot send it). Not polled: each `progress` event the run sends
 * is a render. When this cps-sim has no such endpoint (404 HTTP.NOT_FOUND), `unavailable` says so and the
 * page shows the run as it was when it loaded.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { useApi } from '../../auth/context';
import { ApiError } from '../../api/problem';
import { keys, SIM, type RunStatus } from './api';

export interface RunStep {
  done: number;
  total: number;
}

export interface LiveRun {
  status: RunStatus;
  progress: number;
  step: RunStep | null;
  error: string | null;
}

export interface RunEvents {
  /** The last state the stream reported (undefined before the first event). */
  live?: LiveRun;
  /** Connected and reading. */
  connected: boolean;
  /** The service has no event stream for runs. */
  unavailable: boolean;
  /** The stream failed (not an absent endpoint). */
  problem?: unknown;
  /** The stream ended before the run did: reconnect. */
  reconnect: () => void;
}

const statuses = new Set<RunStatus>(['queued', 'running', 'succeeded', 'failed']);

function readData(data: unknown): LiveRun | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  if (typeof d.progress !== 'number' || !statuses.has(d.status as RunStatus)) return undefined;
  const step = d.step as RunStep | null | undefined;
  return {
    status: d.status as RunStatus,
    progress: Math.max(0, Math.min(1, d.progress)),
    step: step && typeof step.done === 'number' && typeof step.total === 'number' ? step : null,
    error: typeof d.error === 'string' ? d.error : null,
  };
}

export function useRunEvents(runId: string): RunEvents {
  const api = useApi();
  const client = useQueryClient();
  const [live, setLive] = useState<LiveRun | undefined>();
  const [connected, setConnected] = useState(false);
  const [unavailable, setUnavailable] = useState(false);
  const [problem, setProblem] = useState<unknown>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    let ended = false;
    setProblem(undefined);
    void (async () => {
      try {
        const stream = api.events(SIM, `/runs/${encodeURIComponent(runId)}/events`, controller.signal);
        setConnected(true);
        for await (const { event, data } of stream) {
          const state = readData(data);
          if (!state) continue;
          setLive(state);
          if (event === 'done' || event === 'failed') {
            ended = true;
            // The list of runs changed (the run page reads its own record again, see RunPage).
            void client.invalidateQueries({ queryKey: keys.runs, exact: true });
          }
        }
        if (!ended && !controller.signal.aborted) setProblem(new Error('stream-ended'));
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 404 && error.code === 'HTTP.NOT_FOUND')
          setUnavailable(true);
        else setProblem(error);
      } finally {
        if (!controller.signal.aborted) setConnected(false);
      }
    })();
    return () => controller.abort();
  }, [api, client, runId, attempt]);

  const reconnect = useCallback(() => setAttempt((n) => n + 1), []);
  return { live, connected, unavailable, problem, reconnect };
}
