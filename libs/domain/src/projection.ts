import semver from 'semver';
import type { ContractTerms } from './contract.js';
import type { GrantView, PlatformEvent, TransferView } from './events.js';
import type { ParticipantView } from './participant.js';
import {
  consentStatus,
  normaliseConsent,
  type ConsentStatus,
  type ConsentUse,
  type PersonConsentView,
} from './person-consent.js';

/**
 * What a service knows of participants, contracts and grants, built only from platform events.
 * Applying the same events in the same order always gives the same state (replay rebuilds it).
 */
export class PlatformProjection {
  readonly participants = new Map<string, ParticipantView>();
  /** dataset -> version -> terms */
  readonly contracts = new Map<string, Map<string, ContractTerms>>();
  readonly grants = new Map<string, GrantView>();
  /**
   * DSP transfers whose token may be honoured (STARTED) or may be again (REQUESTED, SUSPENDED); a completed
   * or terminated transfer is dropped, so its tokens name an unknown transfer and are refused.
   */
  readonly transfers = new Map<string, TransferView>();
  /** `${originator} ${subjectRef}` -> that person's consents with the originator, one per consent id */
  readonly personConsents = new Map<string, PersonConsentView[]>();
  /** Data keys destroyed (crypto-shredded): whatever they protected is unreadable for good. */
  readonly destroyedKeys = new Set<string>();
  private readonly listeners: ((event: PlatformEvent) => void)[] = [];

  apply(event: PlatformEvent): void {
    switch (event.type) {
      case 'participant.upserted':
        this.participants.set(event.participant.id, event.participant);
        break;
      case 'contract.drafted':
      case 'contract.published':
      case 'contract.deprecated':
      case 'contract.retired': {
        const versions = this.contracts.get(event.contract.dataset) ?? new Map<string, ContractTerms>();
        versions.set(event.contract.version, event.contract);
        this.contracts.set(event.contract.dataset, versions);
        break;
      }
      case 'grant.changed':
        this.grants.set(event.grant.id, event.grant);
        break;
      case 'transfer.changed':
        if (event.transfer.state === 'COMPLETED' || event.transfer.state === 'TERMINATED')
          this.transfers.delete(event.transfer.id);
        else this.transfers.set(event.transfer.id, event.transfer);
        break;
      case 'dataset.changed':
      case 'outbox.dead-lettered':
        break;
      case 'person-consent.changed': {
        const consent = normaliseConsent(event.consent);
        const key = `${consent.originator} ${consent.subjectRef}`;
        // The same consent id is an update of that consent; other consents of the person stay in force.
        const records = (this.personConsents.get(key) ?? []).filter((c) => c.consentId !== consent.consentId);
        if (consent.decision !== 'withdrawn') records.push(consent);
        this.personConsents.set(key, records);
        break;
      }
      case 'data-key.destroyed':
        this.destroyedKeys.add(event.kid);
        break;
    }
    for (const listener of this.listeners) listener(event);
  }

  /** Registers a listener; returns the function that removes it. */
  onEvent(listener: (event: PlatformEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * What each record's person said about this use of that record (see consentStatus), keyed by the record's
   * key (its event id): one person's records may differ (record type, labels, record time).
   */
  consentsFor(
    originator: string,
    use: Omit<ConsentUse, 'record'>,
    records: Iterable<{ key: string; subject: string; record: ConsentUse['record'] }>,
  ): Record<string, ConsentStatus> {
    const out: Record<string, ConsentStatus> = {};
    for (const r of records) {
      out[r.key] = consentStatus(this.personConsents.get(`${originator} ${r.subject}`) ?? [], {
        ...use,
        record: r.record,
      });
    }
    return out;
  }

  /** The version new events are published and served under (see currentVersion). */
  currentContract(dataset: string): ContractTerms | undefined {
    const versions = this.contracts.get(dataset);
    return versions ? currentVersion([...versions.values()]) : undefined;
  }
}

/**
 * The newest active (or deprecated) version: the one new events are published and served under.
 * A pre-release (1.1.0-rc.1) becomes current only while no release exists; publishers can still name
 * it explicitly. The registry and every service's projection use this one rule.
 */
export function currentVersion<T extends { version: string; status: string }>(
  versions: Iterable<T>,
): T | undefined {
  let newest: T | undefined;
  const rank = (t: T) => (semver.prerelease(t.version) ? 0 : 1);
  for (const terms of versions) {
    if (terms.status !== 'active' && terms.status !== 'deprecated') continue;
    if (
      !newest ||
      rank(terms) > rank(newest) ||
      (rank(terms) === rank(newest) && semver.gt(terms.version, newest.version))
    ) {
      newest = terms;
    }
  }
  return newest;
}
