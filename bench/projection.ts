import { PlatformProjection } from '@renkei/domain';
import { batteryCfpContract } from '../test/fixtures/battery-cfp.js';

/** What the exchange and clearing know in the battery CFP scenario, for in-process policy benchmarks. */
export function batteryProjection(
  participants: readonly (readonly [id: string, industry: string])[],
): PlatformProjection {
  const state = new PlatformProjection();
  for (const [id, industry] of participants) {
    state.apply({
      type: 'participant.upserted',
      participant: {
        id,
        legalName: id,
        industry,
        country: 'JP',
        roles: ['member'],
        certifications: [],
        protection: 'access-control',
        status: 'active',
        jwks: { keys: [] },
      },
    });
  }
  state.apply({
    type: 'contract.published',
    contract: { ...batteryCfpContract, owner: 'cell', status: 'active' } as never,
  });
  return state;
}
