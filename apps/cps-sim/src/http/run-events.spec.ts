import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FastifyReply } from 'fastify';
import type { Principal } from '@renkei/auth';
import type { CpsIdentity } from '../cps-sim.identity.js';
import type { DerivedService } from '../derived/derived.service.js';
import type { InputsService } from '../inputs/inputs.service.js';
import { RunsService, type RunEvent } from '../scenarios/runs.service.js';
import type { ScenariosService } from '../scenarios/scenarios.service.js';
import { CpsSimController, RUN_EVENTS_HEARTBEAT_MS } from './cps-sim.controller.js';

/** The raw response a hijacked reply writes to: what went out, and whether it ended. */
class RawResponse extends EventEmitter {
  status = 0;
  headers: Record<string, string> = {};
  body = '';
  ended = false;
  socket = { setTimeout: vi.fn() };
  writeHead(status: number, headers: Record<string, string>) {
    this.status = status;
    this.headers = headers;
  }
  write(chunk: string) {
    this.body += chunk;
    return true;
  }
  end() {
    this.ended = true;
  }
}

const principal = { participantId: 'cps-operator', scopes: new Set(), claims: {} } as unknown as Principal;

/** The controller over a RunsService whose one run is driven by the test (its `emit` stands for the run). */
function setup() {
  const runs = new RunsService({} as InputsService, pino({ level: 'silent' }));
  let listener: ((e: RunEvent) => void) | undefined;
  const current: RunEvent = {
    event: 'progress',
    seq: 0,
    data: { status: 'queued', progress: 0, step: null },
  };
  vi.spyOn(runs, 'get').mockReturnValue({} as ReturnType<RunsService['get']>);
  const unfollow = vi.fn();
  vi.spyOn(runs, 'follow').mockImplementation((_id, l) => {
    listener = l;
    l(current);
    return unfollow;
  });
  const controller = new CpsSimController(
    { assertOperator: () => {} } as unknown as CpsIdentity,
    {} as InputsService,
    {} as ScenariosService,
    runs,
    {} as DerivedService,
  );
  const raw = new RawResponse();
  const reply = { hijack: vi.fn(), raw } as unknown as FastifyReply;
  controller.runEvents(principal, 'run-1', reply);
  return { raw, reply, unfollow, emit: (e: RunEvent) => listener!(e) };
}

describe('GET /runs/{id}/events', () => {
  afterEach(() => vi.useRealTimers());

  it('frames each event as SSE, in order, and ends the response after done', () => {
    const { raw, reply, unfollow, emit } = setup();
    expect(reply.hijack).toHaveBeenCalled();
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(raw.socket.setTimeout).toHaveBeenCalledWith(0);
    emit({
      event: 'progress',
      seq: 1,
      data: { status: 'running', progress: 0.5, step: { done: 1, total: 2 } },
    });
    expect(raw.ended).toBe(false);
    emit({
      event: 'done',
      seq: 2,
      data: { status: 'succeeded', progress: 1, step: { done: 2, total: 2 }, error: null },
    });
    expect(raw.body).toBe(
      'id: 0\nevent: progress\ndata: {"status":"queued","progress":0,"step":null}\n\n' +
        'id: 1\nevent: progress\ndata: {"status":"running","progress":0.5,"step":{"done":1,"total":2}}\n\n' +
        'id: 2\nevent: done\ndata: {"status":"succeeded","progress":1,"step":{"done":2,"total":2},"error":null}\n\n',
    );
    expect(raw.ended).toBe(true);
    expect(unfollow).toHaveBeenCalled();
  });

  it('sends a heartbeat comment every 15 s while the run is quiet, and stops when the client goes', () => {
    vi.useFakeTimers();
    const { raw, unfollow } = setup();
    const before = raw.body;
    vi.advanceTimersByTime(RUN_EVENTS_HEARTBEAT_MS - 1);
    expect(raw.body).toBe(before);
    vi.advanceTimersByTime(1);
    expect(raw.body).toBe(`${before}: heartbeat\n\n`);
    expect(RUN_EVENTS_HEARTBEAT_MS).toBe(15_000);
    raw.emit('close');
    expect(unfollow).toHaveBeenCalled();
    vi.advanceTimersByTime(RUN_EVENTS_HEARTBEAT_MS * 3);
    expect(raw.body).toBe(`${before}: heartbeat\n\n`);
  });
});
