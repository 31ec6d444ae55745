import { queryString } from '../client.js';
import type {
  DspNegotiation,
  DspNegotiationFilter,
  DspNegotiationStart,
  DspPeer,
  DspPeerRegistration,
  DspTransfer,
  DspTransferFilter,
  DspTransferStart,
} from './dto.js';
import { Session } from './session.js';

/** A provider's move on a negotiation (the originator), or a consumer's (the member on whose behalf). */
export type DspNegotiationMove =
  'offer' | 'agree' | 'finalize' | 'terminate' | 'accept' | 'verify' | 'request';
/** A move on a transfer, by either side. */
export type DspTransferMove = 'start' | 'suspend' | 'complete' | 'terminate';

/**
 * Clearing: the Dataspace Protocol connector's management API (`/connector/...`). A member negotiates with
 * another DSP connector and starts transfers on an agreement; an originator makes the provider's moves on
 * the negotiations and transfers peers started; the consortium admin registers peer connectors.
 */
export class ConnectorCalls extends Session {
  /** Registers a peer connector (consortium admin): a participant and the protocol URL it answers at. */
  registerDspPeer(peer: DspPeerRegistration) {
    return this.call<DspPeer>('clearing', 'POST', '/connector/peers', peer);
  }
  dspPeers() {
    return this.call<DspPeer[]>('clearing', 'GET', '/connector/peers');
  }
  /** This platform's connector public key (JWKS): what a peer registers to accept its assertions. */
  connectorKey() {
    return this.call<{ keys: Record<string, unknown>[] }>('clearing', 'GET', '/connector/key');
  }

  /** Your side of your negotiations (provider: the ones on your datasets; consumer: the ones you started). */
  negotiations(filter: DspNegotiationFilter = {}) {
    return this.call<DspNegotiation[]>('clearing', 'GET', `/connector/negotiations${queryString(filter)}`);
  }
  negotiation(id: string) {
    return this.call<DspNegotiation>('clearing', 'GET', `/connector/negotiations/${id}`);
  }
  /** Asks a peer connector for a contract (consumer): sends its ContractRequestMessage. */
  startNegotiation(request: DspNegotiationStart) {
    return this.call<DspNegotiation>('clearing', 'POST', '/connector/negotiations', request);
  }
  /**
   * A move on a negotiation. Provider: `offer`, `agree` (`{finalize: 'on-verification' | 'manual'}`),
   * `finalize`, `terminate` (`{reason}`). Consumer: `accept`, `verify`, `request` (a counter-offer,
   * `{offer}`), `terminate`.
   */
  moveNegotiation(id: string, move: DspNegotiationMove, body: Record<string, unknown> = {}) {
    return this.call<DspNegotiation>('clearing', 'POST', `/connector/negotiations/${id}/${move}`, body);
  }

  /** Your side of your transfers (provider: on grants you gave; consumer: the ones you started). */
  transfers(filter: DspTransferFilter = {}) {
    return this.call<DspTransfer[]>('clearing', 'GET', `/connector/transfers${queryString(filter)}`);
  }
  transfer(id: string) {
    return this.call<DspTransfer>('clearing', 'GET', `/connector/transfers/${id}`);
  }
  /** Asks a peer connector to transfer data under an agreement (consumer). */
  startTransfer(request: DspTransferStart) {
    return this.call<DspTransfer>('clearing', 'POST', '/connector/transfers', request);
  }
  /** start, suspend, complete or terminate a transfer (either side; `{reason}` optional). */
  moveTransfer(id: string, move: DspTransferMove, body: Record<string, unknown> = {}) {
    return this.call<DspTransfer>('clearing', 'POST', `/connector/transfers/${id}/${move}`, body);
  }
}
