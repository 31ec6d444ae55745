import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ParticipantEvent } from '@renkei/domain';
import { OffboardingListener } from './offboarding.controller.js';
import type { OffboardingService } from './offboarding.service.js';

const offboarded = {
  type: 'participant.upserted',
  actor: 'consortium-admin',
  participant: { id: 'p-1', status: 'offboarded' },
} as unknown as ParticipantEvent;

describe('OffboardingListener', () => {
  afterEach(() => vi.useRealTimers());

  it('keeps retrying a revocation the database refused, without holding back the events behind it', async () => {
    vi.useFakeTimers();
    const revokeAll = vi
      .fn<OffboardingService['revokeAll']>()
      .mockRejectedValueOnce(new Error('database away'))
      .mockRejectedValueOnce(new Error('database away'))
      .mockResolvedValue(2);
    const listener = new OffboardingListener({ revokeAll } as unknown as OffboardingService);

    await listener.participantUpserted(offboarded); // answers at once: the consumer moves on
    expect(revokeAll).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(revokeAll).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(2_000); // backoff doubles
    expect(revokeAll).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(120_000); // succeeded: no more attempts
    expect(revokeAll).toHaveBeenCalledTimes(3);
    expect(revokeAll).toHaveBeenCalledWith('p-1', 'consortium-admin');
    listener.onModuleDestroy();
  });

  it('ignores participants that are not offboarded', async () => {
    const revokeAll = vi.fn();
    const listener = new OffboardingListener({ revokeAll } as unknown as OffboardingService);
    await listener.participantUpserted({
      ...offboarded,
      participant: { id: 'p-2', status: 'suspended' },
    } as unknown as ParticipantEvent);
    expect(revokeAll).not.toHaveBeenCalled();
  });
});
