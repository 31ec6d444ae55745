import { accessSync, constants, readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { z } from 'zod';

/**
 * Transport security of the HTTP endpoints (ADR 0034). With a certificate and its key the service serves
 * HTTPS only; the extra CA is what this process's outgoing HTTPS (fetch, node:https) trusts besides the
 * system's roots, e.g. the local CA of scripts/certs.sh. NODE_EXTRA_CA_CERTS works too.
 */
export const tlsConfigSchema = z.object({
  TLS_CERT_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('PEM certificate chain to serve HTTPS with (with TLS_KEY_FILE; without both: plain HTTP)'),
  TLS_KEY_FILE: z.string().min(1).optional().describe("PEM private key of TLS_CERT_FILE's certificate"),
  TLS_CA_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'PEM CA certificate(s) that outgoing HTTPS to the other services trusts besides the system roots',
    ),
});
export type TlsSettings = z.infer<typeof tlsConfigSchema>;

const unreadable = (path: string): string | undefined => {
  try {
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
};

/** Both or neither of certificate and key, and every file named can be read (loadConfig's cross checks). */
export function tlsIssues(settings: Partial<TlsSettings>): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const { TLS_CERT_FILE: cert, TLS_KEY_FILE: key } = settings;
  if (cert && !key)
    issues.push({ path: 'TLS_KEY_FILE', message: 'required with TLS_CERT_FILE (HTTPS needs both)' });
  if (key && !cert)
    issues.push({ path: 'TLS_CERT_FILE', message: 'required with TLS_KEY_FILE (HTTPS needs both)' });
  for (const name of ['TLS_CERT_FILE', 'TLS_KEY_FILE', 'TLS_CA_FILE'] as const) {
    const path = settings[name];
    const problem = path ? unreadable(path) : undefined;
    if (path && problem) issues.push({ path: name, message: `cannot read ${path} (${problem})` });
  }
  return issues;
}

/** The server's certificate and key for Fastify's `https` option, or undefined for plain HTTP. */
export function httpsOptions(settings: Partial<TlsSettings>): { cert: Buffer; key: Buffer } | undefined {
  if (!settings.TLS_CERT_FILE || !settings.TLS_KEY_FILE) return undefined;
  return { cert: readFileSync(settings.TLS_CERT_FILE), key: readFileSync(settings.TLS_KEY_FILE) };
}

/**
 * Adds the CA certificates of a PEM file to what this thread's TLS clients trust by default (fetch, node:https,
 * node:tls), keeping the system's roots. Idempotent.
 */
export function trustCaFile(path: string | undefined): void {
  if (!path) return;
  const pems = readFileSync(path, 'utf8').match(
    /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
  );
  if (!pems) throw new Error(`TLS_CA_FILE: no PEM certificate in ${path}`);
  const current = tls.getCACertificates('default');
  const added = pems.filter((pem) => !current.some((c) => c.trim() === pem.trim()));
  if (added.length > 0) tls.setDefaultCACertificates([...current, ...added]);
}

/** http or https, as this process serves (for the `listening` line and self links). */
export const servedScheme = (settings: Partial<TlsSettings>): 'http' | 'https' =>
  settings.TLS_CERT_FILE && settings.TLS_KEY_FILE ? 'https' : 'http';
