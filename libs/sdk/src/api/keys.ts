import type { JWK } from 'jose';
import { json, send } from '../client.js';
import type { SigningKeyRing, SigningKeyRotation } from './dto.js';
import { Session } from './session.js';

/** Clearing: the platform's token-verification keys and their rotation. */
export class KeyCalls extends Session {
  /** The platform's token-verification keys (public). */
  async jwks(): Promise<{ keys: JWK[] }> {
    return json<{ keys: JWK[] }>(await send(`${this.endpoints.clearing}/.well-known/jwks.json`));
  }
  /** The signing-key ring (consortium admin). */
  signingKeys() {
    return this.call<SigningKeyRing>('clearing', 'GET', '/admin/signing-keys');
  }
  /** Rotates the token signing key (consortium admin); the new key signs after `activateAfterSeconds`. */
  rotateSigningKey(activateAfterSeconds?: number) {
    return this.call<SigningKeyRotation>(
      'clearing',
      'POST',
      '/admin/signing-keys/rotate',
      activateAfterSeconds === undefined ? {} : { activateAfterSeconds },
    );
  }
}
