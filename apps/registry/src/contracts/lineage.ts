import { DomainError, type DatasetRef, type DerivedTerms, type ErrorDetail } from '@renkei/domain';

/** What the registry knows of one lineage input: its owner, and its own verified originators if derived. */
export interface LineageInput {
  owner: string;
  /** The input's own derived terms (a derived input's originators count through it). */
  derived: DerivedTerms | null;
}

/**
 * Establishes a derived contract's lineage and contributors from what the platform knows, never from what
 * the registrant declares. Each input must exist (the named version, visible to the registrant) and be
 * owned by the registrant or covered by a grant it holds or held (`held`, from clearing). The contributors
 * are the distinct originators behind the inputs: each input's owner, and through a derived input its own
 * verified originators (an unverified derived input counts as its owner only: a claim the platform cannot
 * check never adds contributors). A declared count above the verified one is refused; otherwise the
 * verified terms replace whatever was declared.
 *
 * Throws 403 LINEAGE.INPUT_NOT_HELD (no grant held, or not visible: indistinguishable on purpose), or 422
 * DERIVED.CONTRIBUTORS_UNVERIFIED, each listing every failing path.
 */
export function verifyDerived(
  registrant: string,
  lineage: readonly DatasetRef[],
  declared: { aggregate: boolean; contributors: number | null } | undefined,
  inputs: ReadonlyMap<string, LineageInput>,
  held: ReadonlySet<string>,
): Required<DerivedTerms> {
  const notHeld: ErrorDetail[] = [];
  const originators = new Set<string>();
  lineage.forEach((ref, i) => {
    const input = inputs.get(`${ref.dataset}@${ref.version}`);
    if (!input || (input.owner !== registrant && !held.has(ref.dataset))) {
      notHeld.push({
        path: `/lineage/${i}`,
        message: input
          ? `no grant held for dataset '${ref.dataset}': you neither own it nor hold or held a grant on it`
          : `no version ${ref.version} of dataset '${ref.dataset}' that you can see`,
      });
      return;
    }
    originators.add(input.owner);
    if (input.derived?.verified === true) {
      for (const o of input.derived.originators ?? []) originators.add(o);
    }
  });
  if (notHeld.length > 0) {
    throw new DomainError(
      'LINEAGE.INPUT_NOT_HELD',
      'forbidden',
      'A derived dataset may only name inputs you own or hold (or held) a grant on',
      {
        details: notHeld,
        hint: 'Request a grant on each input (POST /grants on clearing) and derive only from what it delivered',
      },
    );
  }
  const verified = originators.size;
  if (declared && declared.contributors !== null && declared.contributors > verified) {
    throw new DomainError(
      'DERIVED.CONTRIBUTORS_UNVERIFIED',
      'unprocessable',
      `The contract declares ${declared.contributors} contributors; its lineage rests on ${verified} distinct originator${verified === 1 ? '' : 's'}`,
      {
        details: [
          {
            path: '/derived/contributors',
            message: `declared ${declared.contributors}, the platform counts ${verified} distinct originators behind the lineage`,
          },
        ],
        hint: 'Leave contributors out (or null): the registry counts the originators behind the inputs itself',
      },
    );
  }
  return {
    aggregate: declared?.aggregate ?? false,
    contributors: verified,
    originators: [...originators].sort(),
    verified: true,
  };
}
