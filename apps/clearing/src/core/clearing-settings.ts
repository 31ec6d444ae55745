/**
 * What configuration says about tokens. An abstract class rather than an interface so that it is its own
 * injection token: `constructor(private readonly settings: ClearingSettings)` needs no symbol.
 */
export abstract class ClearingSettings {
  /** Audiences a client assertion may name: the issuer id and the token endpoint URL. */
  abstract readonly assertionAudiences: string[];
  /** The consortium admin's public keys (its bootstrap credential), or null when none is configured. */
  abstract readonly adminJwks: { keys: Record<string, unknown>[] } | null;
  abstract readonly platformTokenTtlSeconds: number;
  abstract readonly datasetTokenTtlSeconds: number;
  /** The exchange's public URL (the endpoint of DSP transfers' data addresses). */
  abstract readonly exchangeUrl: string;
  /** Lifetime of a DSP transfer's token (its data address). */
  abstract readonly transferTokenTtlSeconds: number;
}
