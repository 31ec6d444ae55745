import { readFile } from 'node:fs/promises';
import { calculateJwkThumbprint, exportJWK, importPKCS8, type CryptoKey, type JWK } from 'jose';

/** Clearing's own key towards peer connectors: signs RFC 7523 assertions at their token endpoints. */
export interface ConnectorKey {
  /** The RFC 7638 thumbprint of the public key. */
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/**
 * What the DSP module reads from configuration. An abstract class so it is its own injection token.
 */
export abstract class DspSettings {
  /** Clearing's public base URL; our protocol URL (and callbackAddress) is `<publicUrl>/dsp`. */
  abstract readonly publicUrl: string;
  /** Plain http and loopback addresses allowed for outgoing calls (tests, the demo). */
  abstract readonly allowInsecureLoopback: boolean;
  /** Deadline of every outgoing call. */
  abstract readonly callTimeoutMs: number;
  /** The connector key, or null when none is configured (then no token can be got at a peer). */
  abstract readonly connectorKey: ConnectorKey | null;
  /** This connector's DSP participant id (the catalog's `participantId`); default: the token issuer id. */
  abstract readonly participantId?: string;
  /** The registry's public URL (the catalog's publisher and contract links); default: the local registry. */
  abstract readonly registryUrl?: string;
}

/** The participant id a DSP peer knows this connector by, when configuration names none. */
export const DEFAULT_DSP_PARTICIPANT_ID = 'urn:renkei:clearing';

/** Our DSP protocol URL, the root of every /dsp route (what peers call, our callbackAddress). */
export const protocolUrl = (settings: DspSettings) => `${settings.publicUrl.replace(/\/+$/, '')}/dsp`;

/** The connector key from CONNECTOR_KEY_FILE or CONNECTOR_KEY (PKCS#8 PEM, ES256), or null. */
export async function loadConnectorKey(config: {
  CONNECTOR_KEY_FILE?: string | undefined;
  CONNECTOR_KEY?: string | undefined;
}): Promise<ConnectorKey | null> {
  const pem = config.CONNECTOR_KEY_FILE
    ? await readFile(config.CONNECTOR_KEY_FILE, 'utf8')
    : config.CONNECTOR_KEY?.replace(/\\n/g, '\n');
  if (!pem) return null;
  let privateKey: CryptoKey;
  try {
    privateKey = await importPKCS8(pem.trim(), 'ES256', { extractable: true });
  } catch (error) {
    throw new Error('the connector key is not a PKCS#8 PEM ES256 (P-256) private key', { cause: error });
  }
  const { d: _d, ...publicJwk } = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' } };
}
