import type { ConsentImport, DatasetKeysDestroyed, PersonConsent, PersonErasure } from './dto.js';
import { Session } from './session.js';

/** Clearing: persons' consents, erasure and crypto-shredding of a dataset's protected fields. */
export class PersonCalls extends Session {
  /** Records persons' consents and opt-outs from HL7 FHIR R5 Consent resources (a Consent or a Bundle). */
  importConsents(fhir: Record<string, unknown>) {
    return this.call<ConsentImport>('clearing', 'POST', '/person-consents/fhir', fhir);
  }
  optOut(subjectRef: string, dataset = '*', withdraw = false) {
    return this.call<PersonConsent>('clearing', 'POST', '/person-consents/opt-out', {
      subjectRef,
      dataset,
      ...(withdraw ? { withdraw } : {}),
    });
  }

  personConsents(subject?: string) {
    return this.call<PersonConsent[]>(
      'clearing',
      'GET',
      `/person-consents${subject ? `?subject=${encodeURIComponent(subject)}` : ''}`,
    );
  }
  /** Destroys a person's data keys (their protected fields become unreadable everywhere) and opts them out. */
  erasePerson(subjectRef: string, dataset = '*', reason?: string) {
    return this.call<PersonErasure>('clearing', 'POST', `/persons/${encodeURIComponent(subjectRef)}/erase`, {
      dataset,
      ...(reason ? { reason } : {}),
    });
  }
  /** Crypto-shreds a dataset you own: every copy of its protected fields becomes unreadable. */
  destroyDatasetKeys(dataset: string, reason: string) {
    return this.call<DatasetKeysDestroyed>('clearing', 'POST', `/datasets/${dataset}/keys/destroy`, {
      reason,
    });
  }
}
