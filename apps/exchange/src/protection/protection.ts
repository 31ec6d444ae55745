import { Inject, Injectable } from '@nestjs/common';
import { unavailable, type ContractTerms, type DataEnvelope } from '@renkei/domain';
import { FIELD_PROTECTION } from '../platform/platform.module.js';
import { needsProtection, type FieldProtection } from './field-protection.js';

/** Field protection as publish and delivery use it: encrypt on the way in, decrypt for a live grant. */
export abstract class Protection {
  /** The payloads with the contract's protected fields encrypted (unchanged when it protects none). */
  abstract protect(
    contract: ContractTerms,
    originator: string,
    events: { subject?: string; payload: Record<string, unknown> }[],
  ): Promise<Record<string, unknown>[]>;
  /** Decrypts a delivery batch for a live grant; a field whose key was destroyed is listed in `erased`. */
  abstract reveal(
    grant: { id: string; consumer: string; dataset: string },
    envelopes: DataEnvelope[],
  ): Promise<{ payload: Record<string, unknown>; erased: string[] }[]>;
}

/** FieldProtection when the exchange has a service key; without one, a contract that needs it is a 503. */
@Injectable()
export class ServiceKeyProtection implements Protection {
  constructor(@Inject(FIELD_PROTECTION) private readonly fields: FieldProtection | null) {}

  protect(
    contract: ContractTerms,
    originator: string,
    events: { subject?: string; payload: Record<string, unknown> }[],
  ): Promise<Record<string, unknown>[]> {
    if (!needsProtection(contract)) return Promise.resolve(events.map((e) => e.payload));
    return this.require().protect(contract, originator, events);
  }

  reveal(
    grant: { id: string; consumer: string; dataset: string },
    envelopes: DataEnvelope[],
  ): Promise<{ payload: Record<string, unknown>; erased: string[] }[]> {
    return this.require().reveal(grant, envelopes);
  }

  private require(): FieldProtection {
    if (!this.fields) {
      throw unavailable(
        'PROTECTION.UNAVAILABLE',
        'This contract requires field encryption, and the exchange has no service key for data keys',
        'The operator must set SERVICE_KEY on the exchange and EXCHANGE_JWKS on clearing',
      );
    }
    return this.fields;
  }
}
