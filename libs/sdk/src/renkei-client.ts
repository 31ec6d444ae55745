import { AuditCalls } from './api/audit.js';
import { CatalogCalls } from './api/catalog.js';
import { ConnectorCalls } from './api/connector.js';
import { ContractCalls } from './api/contracts.js';
import { CpsCalls } from './api/cps.js';
import { DeletionCalls } from './api/deletion.js';
import { ExchangeCalls } from './api/exchange.js';
import { GrantCalls } from './api/grants.js';
import { KeyCalls } from './api/keys.js';
import { NotificationCalls } from './api/notifications.js';
import { ParticipantCalls } from './api/participants.js';
import { PersonCalls } from './api/persons.js';
import { Session } from './api/session.js';

/** The areas of the API, one file each under api/; their methods become RenkeiClient's. */
const areas = [
  ParticipantCalls,
  ContractCalls,
  CatalogCalls,
  GrantCalls,
  PersonCalls,
  NotificationCalls,
  DeletionCalls,
  AuditCalls,
  KeyCalls,
  CpsCalls,
  ExchangeCalls,
  ConnectorCalls,
] as const;

/**
 * The TypeScript SDK for member companies: authenticates with a client assertion signed by the
 * participant's own key (RFC 7523), caches the platform token, and wraps the HTTP API.
 *
 * One flat object, as callers have always used it (`client.grant(id)`), assembled from the area classes:
 * each extends Session, and their methods are copied onto this prototype (the TypeScript mixin pattern).
 * The interface of the same name gives the class their types.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the mixin pattern: the methods are copied below
export interface RenkeiClient
  extends
    ParticipantCalls,
    ContractCalls,
    CatalogCalls,
    GrantCalls,
    PersonCalls,
    NotificationCalls,
    DeletionCalls,
    AuditCalls,
    KeyCalls,
    CpsCalls,
    ExchangeCalls,
    ConnectorCalls {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class RenkeiClient extends Session {}

for (const area of areas) {
  for (const name of Object.getOwnPropertyNames(area.prototype)) {
    if (name === 'constructor') continue;
    if (Object.hasOwn(RenkeiClient.prototype, name))
      throw new Error(`RenkeiClient: ${name} is defined twice`);
    Object.defineProperty(
      RenkeiClient.prototype,
      name,
      Object.getOwnPropertyDescriptor(area.prototype, name)!,
    );
  }
}
