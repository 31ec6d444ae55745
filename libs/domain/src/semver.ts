import semver from 'semver';

/**
 * Is `version` a semantic version exactly as the `semver` package reads it (no `v` prefix, no build
 * metadata loss, no leading zeros in numeric pre-release identifiers, no empty identifiers)? Every version the
 * registry stores is compared with `semver`, so only what it accepts verbatim may be stored.
 */
export function isSemver(version: string): boolean {
  return semver.valid(version) === version;
}

export const SEMVER_MESSAGE = 'semantic version, e.g. 1.0.0 (see semver.org)';
