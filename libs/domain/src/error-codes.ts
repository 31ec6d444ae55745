/**
 * The error-code catalogue: every stable code a Renkei service can answer with, one entry each, with the
 * HTTP status of the problem+json that carries it, what it means and what the caller should do.
 *
 * It is the one place a code lives. `ErrorCode` is derived from it, and the DomainError helpers accept
 * only codes of their own status (`forbidden` takes only 403 codes), so a misspelt code or one answered
 * with the wrong status does not compile. Codes computed at run time (a policy's deny reasons) are checked
 * against it with {@link isErrorCode}. `docs/errors.md` is generated from it (`npm run errors:doc`), the
 * SDK types `RenkeiError.code` with it and the CLI prints its `action` when an answer has no hint.
 *
 * `status: null` marks a code that is never an HTTP answer: it ends a subscription stream, is a finding of
 * an audit verification (in a 200 body), or is a policy reason answered under another code. `policy: true`
 * marks a deny reason the Rego policy (policies/renkei) can give: the first reason of a deny is the code of
 * the 403 (libs/policy decision-record.ts), and every reason is on the decision record.
 *
 * Besides these, an error Nest or Fastify raises with a status and no code of ours is answered as
 * `HTTP.<status>` (e.g. `HTTP.405`); see {@link ProblemCode}.
 */

/** HTTP statuses Renkei answers errors with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 408 | 409 | 413 | 414 | 415 | 422 | 429 | 431 | 500 | 503;

export interface ErrorCodeInfo {
  /** The status of the problem+json answer with this code; null when it is never an HTTP answer. */
  readonly status: ErrorStatus | null;
  /** What went wrong, in one sentence. */
  readonly meaning: string;
  /** What the caller should do about it: the CLI prints this when an answer carries no hint. */
  readonly action: string;
  /** A deny reason the Rego policy can give. */
  readonly policy?: true;
}

const POLICY_ACTION = 'The decision is on the audit record; ask the data owner about the grant or its terms.';

export const ERROR_CODES = {
  // -- Requests refused by the HTTP edge, before a handler runs -----------------------------------------
  'REQUEST.INVALID': {
    status: 400,
    meaning:
      'The request body, query or parameters do not follow the schema; `errors` names each failing path.',
    action: 'Fix the fields listed in `errors` and send the request again.',
  },
  'REQUEST.INVALID_ID': {
    status: 400,
    meaning: 'A path or query identifier (UUID, dataset id, version) is not well formed.',
    action:
      'Send the identifier as the API returned it; dataset ids and versions follow the documented grammar.',
  },
  'REQUEST.CONTROL_CHARACTER': {
    status: 400,
    meaning: 'The URL, a header or a body string contains a control character; `errors` points at each one.',
    action: 'Remove the control characters from the places listed in `errors`.',
  },
  'REQUEST.MALFORMED_JSON': {
    status: 400,
    meaning: 'The request body is not valid JSON.',
    action: 'Send a JSON document with content-type application/json.',
  },
  'REQUEST.MALFORMED_URL': {
    status: 400,
    meaning: 'The URL is not valid percent-encoded UTF-8.',
    action: 'Percent-encode each path segment and query value as UTF-8.',
  },
  'REQUEST.MALFORMED_HTTP': {
    status: 400,
    meaning: 'The request is not valid HTTP/1.1.',
    action: 'Send a well-formed HTTP request; header values must not carry control characters.',
  },
  'REQUEST.INVALID_CONTENT_LENGTH': {
    status: 400,
    meaning: 'The body is not as long as its Content-Length says.',
    action: 'Send exactly Content-Length bytes, or use chunked transfer encoding.',
  },
  'REQUEST.TIMEOUT': {
    status: 408,
    meaning: 'The request (headers, or all of it) did not arrive within the time the service allows.',
    action: 'Send the whole request at once; split very large uploads.',
  },
  'REQUEST.TOO_LARGE': {
    status: 413,
    meaning: 'The request body is larger than the service accepts.',
    action: 'Split the batch into smaller requests.',
  },
  'REQUEST.URI_TOO_LONG': {
    status: 414,
    meaning: 'The URL, or one of its path segments, is too long.',
    action: 'Ids are short; send long filters in a request body where the endpoint takes one.',
  },
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': {
    status: 415,
    meaning: 'The content type is not one the endpoint accepts.',
    action: 'Use content-type application/json (or the type the endpoint documents).',
  },
  'REQUEST.HEADERS_TOO_LARGE': {
    status: 431,
    meaning: 'The request headers are larger than the service accepts.',
    action: 'Send fewer or shorter headers.',
  },
  'REQUEST.HANDLER_TIMEOUT': {
    status: 503,
    meaning: 'The request took longer than the service allows and was abandoned.',
    action: 'Retry later; for large inputs, send smaller ones.',
  },
  'RATE_LIMIT.EXCEEDED': {
    status: 429,
    meaning: 'Too many requests of this class from you (or your address) within the window.',
    action:
      'Retry after the Retry-After delay; spread expensive calls out or ask the operator for a higher limit.',
  },
  'HTTP.NOT_FOUND': {
    status: 404,
    meaning: 'No route matches the method and path.',
    action: 'Check the path and method against the OpenAPI document of the service.',
  },
  INTERNAL: {
    status: 500,
    meaning: 'An unexpected error; it has been logged and no internals are shown.',
    action: 'Retry later; if it persists, report the time and path to the consortium admin.',
  },

  // -- Dependencies and service state -------------------------------------------------------------------
  'DEPENDENCY.UNAVAILABLE': {
    status: 503,
    meaning:
      'A service this request needs (database or event bus) is unavailable or still starting; nothing is confirmed.',
    action: 'Retry after the Retry-After delay; requests are safe to repeat.',
  },
  'KAFKA.UNAVAILABLE': {
    status: 503,
    meaning: 'The event bus is not reachable, not keeping up, or did not acknowledge; nothing is confirmed.',
    action:
      'Retry in a few seconds; resend a publication with the same event ids so duplicates are recognised.',
  },
  'CLEARING.UNAVAILABLE': {
    status: 503,
    meaning: 'The clearing service (grants, data keys) did not answer or refused the call.',
    action: 'Retry in a few seconds.',
  },
  'UPSTREAM.UNAVAILABLE': {
    status: 503,
    meaning: 'A consortium service the CPS service depends on cannot be reached.',
    action: 'Retry shortly; if it persists, check the registry, clearing and exchange are up.',
  },
  'SERVICE.NOT_CONFIGURED': {
    status: 503,
    meaning: 'The service lacks a key it needs for this call (e.g. no platform service key).',
    action: 'The operator must set the missing key (EXCHANGE_JWKS); retry afterwards.',
  },
  'SERVICE.STOPPING': {
    status: 503,
    meaning: 'The service is restarting: open subscription streams end with this code.',
    action: 'Reconnect in a moment.',
  },
  'POLICY.BUNDLE_MISSING': {
    status: 503,
    meaning: 'The service has no compiled policy bundle, so it cannot decide anything.',
    action: 'The operator must run `npm run policy:build` and restart the service.',
  },
  'PROTECTION.UNAVAILABLE': {
    status: 503,
    meaning: 'The contract requires field encryption and the exchange has no service key for data keys.',
    action: 'The operator must set SERVICE_KEY on the exchange and EXCHANGE_JWKS on clearing.',
  },

  // -- Tokens and authentication ------------------------------------------------------------------------
  'TOKEN.MISSING': {
    status: 401,
    meaning: 'The call needs a bearer token and none was sent.',
    action: 'Send `Authorization: Bearer <access token>` with a token from the clearing service.',
  },
  'TOKEN.MALFORMED': {
    status: 401,
    meaning: 'The access token is not a valid JWT.',
    action: 'Send `Authorization: Bearer <token>` with a token from the clearing service.',
  },
  'TOKEN.INVALID_SIGNATURE': {
    status: 401,
    meaning: 'The access token signature does not verify against the platform keys.',
    action: 'Request a new token from the clearing service.',
  },
  'TOKEN.ALG_NOT_ALLOWED': {
    status: 401,
    meaning: 'The token is signed with an algorithm the platform does not accept.',
    action: 'Use a token issued by the clearing service.',
  },
  'TOKEN.CRIT_UNSUPPORTED': {
    status: 401,
    meaning: 'The access token has a `crit` header the platform does not understand.',
    action: 'Use a token issued by the clearing service, without critical header extensions.',
  },
  'TOKEN.EXPIRED': {
    status: 401,
    meaning: 'The access token has expired (an open stream ends with this code too).',
    action: 'Request a new token and retry (or reconnect).',
  },
  'TOKEN.WRONG_ISSUER': {
    status: 401,
    meaning: 'The access token was not issued by this platform.',
    action: 'Request a token from this platform’s clearing service.',
  },
  'TOKEN.WRONG_AUDIENCE': {
    status: 401,
    meaning: 'The access token is not meant for this service.',
    action: 'Request a token for this service.',
  },
  'TOKEN.INVALID_CLAIMS': {
    status: 401,
    meaning: 'A claim of the access token is missing or not acceptable.',
    action: 'Request a new token from the clearing service.',
  },
  'TOKEN.INVALID': {
    status: 401,
    meaning: 'A platform service token (service to service) is not valid.',
    action: 'The calling service must present a service token signed with its configured key.',
  },
  'TOKEN.INSUFFICIENT_SCOPE': {
    status: 403,
    meaning: 'The token lacks the scope this call needs, or is for another dataset.',
    action: 'Request a token that carries this scope (and names this dataset).',
  },
  'TOKEN.SCOPE_NOT_ALLOWED': {
    status: 403,
    meaning: 'A requested scope is not allowed for your roles.',
    action: 'Request only the scopes the hint lists as allowed.',
  },
  'AUTH.UNKNOWN_CLIENT': {
    status: 401,
    meaning: 'The client id is not a known participant (or no admin key is configured).',
    action: 'Ask the consortium admin to onboard you; use your participant id as iss and sub.',
  },
  'AUTH.INVALID_CLIENT_ASSERTION': {
    status: 401,
    meaning: 'The client assertion is not a valid JWT signed by your registered key for this endpoint.',
    action:
      'Sign a fresh assertion (iss = sub = your participant id, aud = the token endpoint, unique jti, exp ≤ 5 min) with the key registered for you.',
  },
  'AUTH.ASSERTION_REPLAYED': {
    status: 401,
    meaning: 'This client assertion was already used.',
    action: 'Sign a new assertion with a fresh jti for every token request.',
  },
  'AUTH.ASSERTION_TOO_LONG': {
    status: 401,
    meaning: 'The client assertion lives longer than the platform allows.',
    action: 'Sign assertions that expire within 5 minutes.',
  },
  'AUTH.ASSERTION_CRIT_UNSUPPORTED': {
    status: 401,
    meaning: 'The client assertion has a `crit` header the platform does not understand.',
    action: 'Sign the assertion without critical header extensions.',
  },

  // -- Participants --------------------------------------------------------------------------------------
  'PARTICIPANT.NOT_FOUND': {
    status: 404,
    meaning: 'No such participant, or the caller is not known to this service yet.',
    action:
      'Check the participant id with GET /participants; a newly onboarded participant appears within seconds.',
  },
  'PARTICIPANT.NOT_VISIBLE': {
    status: 403,
    meaning: 'Only your own participant record can be read.',
    action: 'Read your own record, or ask the consortium admin.',
  },
  'PARTICIPANT.SUSPENDED': {
    status: 403,
    meaning: 'Your participation is suspended, offboarded, or not active yet.',
    action: 'Contact the consortium admin.',
  },
  'PARTICIPANT.ALREADY_ONBOARDED': {
    status: 409,
    meaning: 'A participant with this legal identifier is already onboarded.',
    action: 'Look it up with GET /participants.',
  },
  'PARTICIPANT.OFFBOARDED': {
    status: 409,
    meaning: 'The participant is offboarded: that is final, and its record can no longer be changed.',
    action: 'Nothing: offboarding cannot be undone. Its record and grants stay on the audit record.',
  },
  'PARTICIPANT.INVALID_IDENTIFIER': {
    status: 400,
    meaning: 'The legal identifier is not valid for its scheme.',
    action: 'Fix the identifier listed in `errors`.',
  },
  'PARTICIPANT.KEY_EXISTS': {
    status: 409,
    meaning: 'The participant already has a key with this kid.',
    action: 'Give the new key its own kid, e.g. one naming the employee and the year.',
  },
  'PARTICIPANT.KEY_NOT_FOUND': {
    status: 404,
    meaning: 'The participant has no key with this kid.',
    action: "List the participant's keys with GET /participants/{id} (jwks).",
  },
  'PARTICIPANT.LAST_KEY': {
    status: 409,
    meaning: 'Removing this key would leave the participant with no key to sign in with.',
    action: 'Add the replacement key first (POST /participants/{id}/keys), then remove this one.',
  },
  'PARTICIPANT.TOO_MANY_KEYS': {
    status: 409,
    meaning: 'The participant already holds the most keys allowed (20).',
    action: 'Remove the keys of people who no longer need access first.',
  },

  // -- Contracts and the catalog -------------------------------------------------------------------------
  'CONTRACT.NOT_FOUND': {
    status: 404,
    meaning:
      'No such dataset or version, or not one you may see (the same answer, so nothing can be inferred).',
    action: 'List the datasets you can see with GET /catalog.',
  },
  'CONTRACT.NOT_OWNER': {
    status: 403,
    meaning: 'Only the owner of the dataset may do this.',
    action: 'Act on datasets you registered; ask the owner to make the change.',
  },
  'CONTRACT.INVALID_TERMS': {
    status: 400,
    meaning: 'The contract terms are not acceptable; `errors` lists the failing parts.',
    action: 'Fix the listed parts and submit again.',
  },
  'CONTRACT.INVALID_SCHEMA': {
    status: 400,
    meaning: 'The contract schema is not a valid JSON Schema 2020-12 object.',
    action:
      'Check the schema with a JSON Schema 2020-12 validator; unknown keywords are refused (strict mode).',
  },
  'CONTRACT.PATTERN_NOT_SUPPORTED': {
    status: 400,
    meaning: 'A schema pattern cannot be matched in linear time (backreferences, lookaround).',
    action: 'Patterns run on RE2: rewrite it without backreferences or lookaround (docs/security/redos.md).',
  },
  'CONTRACT.SCHEMA_TOO_LARGE': {
    status: 422,
    meaning: 'The schema is larger than the limit (SCHEMA_MAX_BYTES).',
    action: 'Split the payload into several datasets, or move long descriptions out of the schema.',
  },
  'CONTRACT.SCHEMA_TOO_DEEP': {
    status: 422,
    meaning: 'The schema nests deeper than the limit (SCHEMA_MAX_DEPTH).',
    action: 'Flatten the payload, or reuse definitions with $ref.',
  },
  'CONTRACT.SCHEMA_TOO_COMPLEX': {
    status: 422,
    meaning: 'The schema declares more properties or subschemas than the limit.',
    action: 'Reuse definitions with $ref instead of repeating them, or split the dataset.',
  },
  'CONTRACT.PATTERN_TOO_COMPLEX': {
    status: 422,
    meaning: 'The schema has too many patterns, or a pattern too long or too costly to compile.',
    action: 'Use enum or format where they fit, fewer patterns, or smaller repetitions.',
  },
  'CONTRACT.CHECK_TOO_EXPENSIVE': {
    status: 422,
    meaning: 'Checking the schema took longer than the time budget and was stopped.',
    action:
      'Simplify the schema: fewer alternatives (anyOf / oneOf), fewer nested objects, fewer properties.',
  },
  'CONTRACT.CHECKS_BUSY': {
    status: 503,
    meaning: 'Too many schema checks are running; this one was not started.',
    action: 'Retry in a few seconds.',
  },
  'CONTRACT.INCOMPATIBLE': {
    status: 409,
    meaning: 'The new version breaks the dataset’s compatibility mode; `errors` lists each breaking change.',
    action: 'Keep the change compatible, or agree it with the consumers and register it under a new dataset.',
  },
  'CONTRACT.VERSION_EXISTS': {
    status: 409,
    meaning: 'This version of the dataset already exists; published versions are immutable.',
    action: 'Use a new version number, or edit the draft with PUT /contracts/{dataset}/versions/{version}.',
  },
  'CONTRACT.VERSION_NOT_INCREASING': {
    status: 409,
    meaning: 'The version is not newer than the newest published one.',
    action: 'Use a version above the newest published one.',
  },
  'CONTRACT.DATASET_TAKEN': {
    status: 409,
    meaning: 'The dataset id belongs to another participant.',
    action: 'Choose another dataset id.',
  },
  'CONTRACT.CONCURRENT_CHANGE': {
    status: 409,
    meaning: 'Another change to this dataset was made at the same moment.',
    action: 'Read the dataset again and retry.',
  },
  'CONTRACT.IMMUTABLE': {
    status: 409,
    meaning: 'A published version never changes.',
    action: 'Register a new version instead.',
  },
  'CONTRACT.ILLEGAL_TRANSITION': {
    status: 409,
    meaning: 'A contract version in its current status cannot move to the one asked for.',
    action:
      'Follow the lifecycle draft → proposed → active → deprecated → retired; the hint lists the allowed moves.',
  },
  'CONTRACT.COMPATIBILITY_IS_PER_DATASET': {
    status: 409,
    meaning:
      'The compatibility mode given differs from the dataset’s; it is set per dataset, not per version.',
    action: 'Change the mode with PUT /datasets/{dataset}/compatibility, or leave compatibility out.',
  },
  'CONTRACT.VERSION_NOT_PUBLISHED': {
    status: 409,
    meaning: 'Events were sent under a draft version; events follow published versions only.',
    action: 'Activate the draft on the registry, or publish under the current version.',
  },
  'CONTRACT.VERSION_RETIRED': {
    status: 409,
    meaning: 'Events were sent under a retired version.',
    action: 'Publish under the current version of the dataset.',
  },
  'CONTRACT.SCHEMA_VIOLATION': {
    status: 400,
    meaning: 'Published payloads do not follow the contract schema; nothing was published.',
    action: 'Fix the fields listed in `errors` and resend the whole batch.',
  },
  'CONTRACT.MISSING': {
    status: 403,
    policy: true,
    meaning: 'The policy was asked about an action on a dataset without its contract.',
    action: POLICY_ACTION,
  },
  'CONTRACT.NOT_ACTIVE': {
    status: 403,
    policy: true,
    meaning:
      'The contract version is not in service for this action: a draft or retired one (for a new grant request, a deprecated one too).',
    action: 'Use the dataset’s current active version; see GET /catalog.',
  },
  'CONTRACT.NOT_VISIBLE': {
    status: null,
    policy: true,
    meaning:
      'Policy reason: the dataset is invited-only and you are not invited. Answered as 404 CONTRACT.NOT_FOUND, so nothing can be inferred.',
    action: 'Ask the dataset owner for an invitation.',
  },
  'CATALOG.INVALID_CURSOR': {
    status: 400,
    meaning: 'The cursor is not one this catalog issued.',
    action: 'Start again without a cursor.',
  },
  'ODCS.INVALID_DOCUMENT': {
    status: 400,
    meaning: 'The ODCS document is not valid; `errors` names each failing path.',
    action: 'Fix the listed parts of the document (ODCS v3).',
  },
  'ODCS.UNSUPPORTED_VERSION': {
    status: 400,
    meaning: 'The document’s ODCS apiVersion is not one the registry reads.',
    action: 'Send an ODCS v3.0.x or v3.1.0 document.',
  },
  'ODCS.MISSING_SCHEMA': {
    status: 400,
    meaning: 'The ODCS document has no schema object to take the payload from.',
    action: 'Add one schema object describing the payload.',
  },
  'ODCS.UNKNOWN_LOGICAL_TYPE': {
    status: 400,
    meaning: 'The ODCS document uses a logicalType outside ODCS v3.',
    action: 'Use the ODCS v3 logical types (string, number, integer, boolean, date, object, array).',
  },
  'ODCS.MISSING_PURPOSES': {
    status: 400,
    meaning: 'The ODCS document names no purposes the data may be used for.',
    action: 'Add a non-empty list of purposes as the Renkei custom property the hint names.',
  },
  'ODCS.INVALID_DATASET_ID': {
    status: 400,
    meaning: 'The ODCS document’s dataset id does not follow the dataset id grammar.',
    action: 'Use a dataset id such as battery.cfp (see the OpenAPI document).',
  },
  'ODCS.INVALID_VERSION': {
    status: 400,
    meaning: 'The ODCS document’s version is not a semantic version.',
    action: 'Use a semantic version, e.g. 1.1.0.',
  },
  'ODCS.INVALID_TERMS': {
    status: 400,
    meaning: 'The contract the ODCS document maps to is not acceptable; `errors` lists the failing parts.',
    action: 'Fix the listed parts in the document and import it again.',
  },
  'ODCS.INVALID_STATUS': {
    status: 400,
    meaning: 'A contract version in this status cannot be registered.',
    action:
      'Set status active (or draft) in the document, or register it with ?status=active or ?status=draft.',
  },

  // -- Grants and the policy --------------------------------------------------------------------------------
  'GRANT.NOT_FOUND': {
    status: 404,
    meaning: 'No such grant that you are a party to.',
    action: 'List your grants with GET /grants.',
  },
  'GRANT.ILLEGAL_TRANSITION': {
    status: 409,
    meaning: 'The grant in its current state cannot move to the one asked for.',
    action: 'The hint lists the allowed moves; a final grant cannot change, request a new one.',
  },
  'GRANT.ALREADY_REQUESTED': {
    status: 409,
    meaning: 'Your request for the same dataset and purpose is still waiting for the originator.',
    action: 'Wait for the answer (GET /grants/{id}), or withdraw it with POST /grants/{id}/revoke.',
  },
  'GRANT.TOO_MANY_PENDING': {
    status: 409,
    meaning: 'You have as many requests waiting for originators as may wait at once.',
    action: 'Wait for answers, or withdraw requests you no longer need (POST /grants/{id}/revoke).',
  },
  'GRANT.NOT_ACTIVE': {
    status: 403,
    policy: true,
    meaning:
      'The grant is not live (requested, rejected, suspended, revoked or expired); an open stream ends with it too.',
    action: 'Ask the originator for access; see the grant with GET /grants/{id}.',
  },
  'GRANT.REVOKED': {
    status: null,
    meaning: 'The grant was revoked: the subscription stream ends with this code.',
    action: 'Stop using the data; ask the originator, or request a new grant.',
  },
  'GRANT.MISSING': {
    status: 403,
    policy: true,
    meaning: 'The policy was asked about a data flow without the grant it rests on.',
    action: POLICY_ACTION,
  },
  'GRANT.NOT_REQUESTED': {
    status: 403,
    policy: true,
    meaning: 'Only a requested grant can be approved.',
    action: 'See the grant’s state with GET /grants/{id}.',
  },
  'GRANT.WRONG_DATASET': {
    status: 403,
    policy: true,
    meaning: 'The grant is for another dataset.',
    action: 'Use the grant you hold for this dataset.',
  },
  'GRANT.WRONG_CONSUMER': {
    status: 403,
    policy: true,
    meaning: 'The grant was given to another participant.',
    action: 'Use a grant of your own; request one with POST /grants.',
  },
  'GRANT.NOT_YET_VALID': {
    status: 403,
    policy: true,
    meaning: 'The grant’s validity has not started yet.',
    action: 'Wait until the grant’s validFrom.',
  },
  'GRANT.EXPIRED': {
    status: 403,
    policy: true,
    meaning: 'The grant has reached its end date; a stream ends with it too.',
    action: 'Request a new grant from the originator.',
  },
  'GRANT.HISTORY_NOT_GRANTED': {
    status: 403,
    policy: true,
    meaning: 'The events were published before the grant’s history start; a stream skips them.',
    action: 'Ask the originator for a grant whose history covers them.',
  },
  'PURPOSE.NOT_ALLOWED': {
    status: 403,
    policy: true,
    meaning: 'The purpose is not the granted one, or the contract does not offer it.',
    action: 'Request one of the purposes the contract offers, and use the granted purpose.',
  },
  'RESIDENCY.VIOLATION': {
    status: 403,
    policy: true,
    meaning: 'The contract pins its data to a country the receiving participant is not located in.',
    action: 'Only participants in the contract’s residency country may receive this data.',
  },
  'PROTECTION.INSUFFICIENT': {
    status: 403,
    policy: true,
    meaning: 'The receiving participant’s attested protection is below the contract’s minimum.',
    action: 'Attest a higher protection level with the consortium admin.',
  },
  'HEALTH.RECIPIENT_NOT_CERTIFIED': {
    status: 403,
    policy: true,
    meaning: 'Health data goes only to recipients certified as health-data handlers.',
    action: 'Obtain the health-data-handler certification from the consortium admin.',
  },
  'LINEAGE.INPUT_NOT_VISIBLE': {
    status: 403,
    policy: true,
    meaning: 'The dataset is derived from inputs you neither own nor hold a grant on.',
    action: 'Request grants on the derived dataset’s inputs first.',
  },
  'AGGREGATE.BELOW_K': {
    status: 403,
    policy: true,
    meaning: 'The aggregate rests on fewer distinct contributors than the minimum k.',
    action: 'Aggregate over more contributors before releasing it.',
  },
  'CONSENT.MISSING': {
    status: 403,
    policy: true,
    meaning: 'A delivery decision was asked without the consent status of the persons its records are about.',
    action: POLICY_ACTION,
  },
  'ROLE.MISSING': {
    status: 403,
    policy: true,
    meaning:
      'Your participant lacks the role this action needs (member; compliance or admin to read the audit).',
    action: 'Ask the consortium admin for the role.',
  },
  'SUBJECT.NOT_ACTIVE': {
    status: 403,
    policy: true,
    meaning: 'Your participation is not active; an open stream ends with this code.',
    action: 'Contact the consortium admin.',
  },
  'SUBJECT.NOT_OWNER': {
    status: 403,
    policy: true,
    meaning: 'Only the dataset’s owner (the grant’s originator) may do this.',
    action: 'Act on datasets and grants of your own.',
  },
  'SUBJECT.IS_OWNER': {
    status: 403,
    policy: true,
    meaning: 'You own the dataset: you need no grant on it.',
    action: 'Read your own data directly.',
  },
  'ACTION.UNKNOWN': {
    status: 403,
    policy: true,
    meaning: 'The policy does not know the action it was asked about.',
    action: 'Report it to the consortium admin: the service and the policy bundle disagree.',
  },
  'POLICY.UNDEFINED': {
    status: 403,
    policy: true,
    meaning: 'The policy reached no decision for the input (deny by default).',
    action: POLICY_ACTION,
  },
  'POLICY.NO_DECISION': {
    status: 403,
    meaning: 'The policy bundle gave no well-formed decision; the request is denied (fail closed).',
    action: 'Report it to the consortium admin with the time: the policy bundle may be broken.',
  },
  'POLICY.DENIED': {
    status: 403,
    meaning: 'The policy denied the request without a reason this build knows.',
    action: POLICY_ACTION,
  },
  'LINEAGE.INPUT_NOT_HELD': {
    status: 403,
    meaning: 'A derived dataset names inputs you neither own nor hold (or held) a grant on.',
    action:
      'Request a grant on each input (POST /grants on clearing) and derive only from what it delivered.',
  },

  // -- Publishing and subscribing ---------------------------------------------------------------------------
  'PUBLISH.BATCH_TOO_LARGE': {
    status: 400,
    meaning: 'The events of one partition in the batch exceed the size Kafka accepts at once.',
    action: 'Split the batch into smaller requests.',
  },
  'EVENT.TOO_LARGE': {
    status: 422,
    meaning: 'The event announcing this change would exceed the platform’s event size limit.',
    action:
      'Make it smaller (shorter descriptions, fewer examples or enum values): every change travels as one Kafka message.',
  },
  'STREAM.INVALID_POSITION': {
    status: 400,
    meaning: '`after` is not a list of partition:offset pairs, or names a position that does not exist.',
    action: 'Send the position fields of the last events you processed, e.g. after=0:41,2:17.',
  },
  'STREAM.ALREADY_OPEN': {
    status: 409,
    meaning: 'A stream for this grant is already open.',
    action: 'Close the other stream first; one stream per grant keeps delivery in order.',
  },
  'STREAM.FAILED': {
    status: null,
    meaning: 'The stream could not start: it ends with this code.',
    action: 'Reconnect in a moment.',
  },
  'STREAM.INTERRUPTED': {
    status: null,
    meaning: 'Delivery was interrupted: the stream ends with this code.',
    action: 'Reconnect with after= the last position you processed.',
  },
  'STREAM.TOO_SLOW': {
    status: null,
    meaning:
      'The client read more slowly than events arrived and its bounded buffer filled: the stream ends with this code.',
    action:
      'Reconnect with after= the last position you processed, and read faster or process asynchronously.',
  },
  'STREAM.CLOSED': {
    status: null,
    meaning: 'The connection closed without an end line (reported by the SDK, not sent by a service).',
    action: 'Reconnect with after= the last position you processed.',
  },
  'SNAPSHOT.COMPLETE': {
    status: null,
    meaning:
      'A snapshot read has delivered everything that was on the topic when it opened: it ends with this code.',
    action: 'Nothing: the snapshot is complete. Read again later for newer events, or open a stream.',
  },
  'SNAPSHOT.PARTIAL': {
    status: null,
    meaning:
      'A snapshot read reached its event or time limit before the end of the topic: it ends with this code.',
    action: 'Read again with after= the last position you processed to get the rest.',
  },

  // -- Dataspace Protocol transfers ------------------------------------------------------------------------
  'TRANSFER.NOT_ACTIVE': {
    status: 403,
    meaning:
      'The token is bound to a DSP transfer that is not started (suspended, completed or terminated), or a newer start replaced it.',
    action:
      'Use the token of the transfer’s latest start; a suspended transfer gets a new one when it starts again.',
  },
  'TRANSFER.ENDED': {
    status: null,
    meaning:
      'The DSP transfer the stream was opened for was suspended, completed or terminated: the stream ends with this code.',
    action:
      'Wait for the transfer to start again (a new start message carries a new token), or request a new transfer.',
  },
  'TRANSFER.NOT_FOUND': {
    status: 404,
    meaning: 'No transfer process with this id of which you are a party.',
    action: 'List your transfers with GET /connector/transfers.',
  },
  'TRANSFER.UNKNOWN_AGREEMENT': {
    status: 400,
    meaning: 'The agreement id names no agreement between this connector and you.',
    action: 'Send the `@id` of an agreement you negotiated with this connector (a grant you hold).',
  },
  'TRANSFER.FORMAT_UNSUPPORTED': {
    status: 400,
    meaning: 'The transfer format is not one this connector offers.',
    action:
      'Use a format the catalog lists in the dataset’s distribution: HttpData-PULL or Renkei-NDJSON-STREAM.',
  },
  'TRANSFER.INTO_INVALID': {
    status: 400,
    meaning:
      'The dataset to deliver into is not yours, has no active contract, or its contract does not name this agreement as its source.',
    action:
      'Register a dataset whose contract declares `source: {agreementId, provider, dataset}` for this agreement, then name it in `into`.',
  },

  // -- Persons, consents and deletion -----------------------------------------------------------------------
  'FHIR.INVALID_RESOURCE': {
    status: 400,
    meaning: 'The FHIR Bundle is not valid; `errors` names each failing path.',
    action: 'Send a FHIR R5 Bundle of Consent resources.',
  },
  'FHIR.INVALID_CONSENT': {
    status: 400,
    meaning: 'The FHIR R5 Consent resources are not valid; nothing was recorded.',
    action:
      'Send R5 Consent resources with status, subject (identifier.value or reference), decision (permit|deny) and optional period and provisions.',
  },
  'FHIR.CONSENT_NOT_ENFORCEABLE': {
    status: 422,
    meaning: 'Some Consent elements cannot be enforced by Renkei; nothing was recorded.',
    action: 'Express each listed restriction with an element Renkei enforces (docs/security/consent.md).',
  },
  'CONSENT.TOO_MANY': {
    status: 422,
    meaning: 'A person would have more consents in force than allowed; nothing was recorded.',
    action: 'Update or withdraw consents by their FHIR id instead of importing new ones.',
  },
  'DELETION.NOT_FOUND': {
    status: 404,
    meaning: 'No deletion obligation with this id that you are a party to.',
    action: 'List yours with GET /deletion-obligations.',
  },
  'DELETION.NOT_CONSUMER': {
    status: 403,
    meaning: 'Only the consumer that received the data confirms its deletion.',
    action: 'The originator follows the obligation with GET /deletion-obligations/{id}.',
  },
  'DELETION.ALREADY_CONFIRMED': {
    status: 409,
    meaning: 'The deletion obligation was already confirmed.',
    action: 'Read the stored receipt with GET /deletion-obligations/{id}.',
  },
  'DELETION.RECEIPT_INVALID': {
    status: 400,
    meaning:
      'The deletion receipt is not valid (signature, obligation, or content); `errors` says which check failed.',
    action:
      'Sign the receipt (iss your participant id, sub the obligation id) with one of your registered keys; the SDK’s confirmDeletion does this.',
  },
  'NOTIFICATION.NOT_FOUND': {
    status: 404,
    meaning: 'No such notification for you.',
    action: 'List your notifications with GET /notifications.',
  },

  // -- Audit ----------------------------------------------------------------------------------------------------
  'AUDIT.DATASET_NOT_FOUND': {
    status: 404,
    meaning: 'No such dataset of yours: usage is shown to a dataset’s originator only.',
    action: 'Your datasets are in GET /catalog?owner=<your id>.',
  },
  'AUDIT.PERSON_NOT_FOUND': {
    status: 404,
    meaning: 'No person of yours has this tag.',
    action:
      'Tags map back only for the originator that recorded the person, and never after the person was erased.',
  },
  'AUDIT.NO_CHECKPOINT': {
    status: 404,
    meaning: 'No checkpoint has been signed yet: the audit record is empty.',
    action: 'Try again once something has been recorded.',
  },
  'AUDIT.CHECKPOINT_INVALID': {
    status: 422,
    meaning:
      'A checkpoint’s signature does not verify: it was altered or forged (also a verification finding).',
    action:
      'Send the compact JWS exactly as GET /audit/checkpoints/latest or GET /audit/receipts returned it.',
  },
  'AUDIT.CHAIN_BROKEN': {
    status: 409,
    meaning: 'No checkpoint was signed: the audit chain does not verify.',
    action:
      'Run GET /audit/verify for the full finding and alert the consortium admin: the record was tampered with.',
  },
  'AUDIT.MODIFIED': {
    status: null,
    meaning:
      'Verification finding: an entry does not match its hash or its successor’s link; it was modified.',
    action: 'Alert the consortium admin: the audit record was tampered with from the named seq.',
  },
  'AUDIT.REORDERED': {
    status: null,
    meaning: 'Verification finding: entries were reordered.',
    action: 'Alert the consortium admin: the audit record was tampered with from the named seq.',
  },
  'AUDIT.REMOVED': {
    status: null,
    meaning: 'Verification finding: entries are missing (removed, possibly renumbered).',
    action: 'Alert the consortium admin: the audit record was tampered with from the named seq.',
  },
  'AUDIT.TRUNCATED': {
    status: null,
    meaning: 'Verification finding: the chain ends before a checkpoint you hold says it did.',
    action: 'Alert the consortium admin: entries after the named seq were removed.',
  },

  // -- Dataspace Protocol (DSP 2025-1) ----------------------------------------------------------------------
  'DSP.INVALID_MESSAGE': {
    status: 400,
    meaning:
      'The body is not the DSP message this endpoint takes (JSON-LD compacted against the DSP 2025-1 context); `errors` names each failing path.',
    action: 'Send the message with the @type, pids and fields DSP 2025-1 requires for this endpoint.',
  },
  'DSP.MESSAGE_TOO_LARGE': {
    status: 413,
    meaning: 'The DSP message is larger or deeper than a peer may send.',
    action: 'Send a smaller message; offers and policies fit well within the limit.',
  },
  'DSP.UNKNOWN_PROCESS': {
    status: 404,
    meaning: 'No negotiation or transfer with this pid that you are a party to.',
    action: 'Use the pid from the answer to your request, or start a new process.',
  },
  'DSP.ILLEGAL_TRANSITION': {
    status: 409,
    meaning: 'The negotiation or transfer in its current state cannot take this message or move.',
    action:
      'Read the process state (GET) and send a message the state allows; a FINALIZED agreement ends by revocation.',
  },
  'DSP.UNKNOWN_OFFER': {
    status: 400,
    meaning: 'The offer or dataset named is not one this connector offers you.',
    action: 'Take the offer @id and the dataset @id from the catalog (POST /dsp/catalog/request).',
  },
  'DSP.PURPOSE_REQUIRED': {
    status: 400,
    meaning:
      'The contract offers more than one purpose and the offer names none (an odrl:purpose constraint).',
    action: 'Add a permission constraint odrl:purpose eq <purpose> naming one of the contract purposes.',
  },
  'DSP.ADDRESS_NOT_ALLOWED': {
    status: 400,
    meaning:
      'A callback or connector address is not an https URL of a public host (plain http is allowed only on loopback where configured).',
    action: 'Give an https URL of a publicly reachable host.',
  },
  'DSP.PEER_NOT_FOUND': {
    status: 404,
    meaning: 'No peer connector registered under this participant id.',
    action: 'The consortium admin registers peers with POST /connector/peers.',
  },
  'DSP.NEGOTIATION_NOT_FOUND': {
    status: 404,
    meaning: 'No negotiation with this id on your side.',
    action: 'List your negotiations with GET /connector/negotiations.',
  },
  'DSP.PEER_UNAVAILABLE': {
    status: 503,
    meaning: 'The peer connector did not answer, or refused the message, in time.',
    action: 'Retry later; check the peer address registered for it.',
  },
  'DSP.CALLBACK_DEAD': {
    status: null,
    meaning:
      'An outgoing DSP message could not be delivered after every retry (or the peer refused it); it is on the audit record.',
    action: 'Check the peer address and its availability; the process may need to be terminated.',
  },

  // -- CPS twin and derived datasets ---------------------------------------------------------------------------
  'CPS.NOT_CONFIGURED': {
    status: 503,
    meaning: 'The CPS service has no participant identity yet.',
    action: 'Onboard it as a participant, then start it with CPS_CLIENT_ID and CPS_PRIVATE_JWK.',
  },
  'CPS.NOT_OPERATOR': {
    status: 403,
    meaning: 'Only the CPS service operators may use this API.',
    action:
      'Subscribe to the derived datasets (cps.*) through the exchange instead: the policy decides what you may receive.',
  },
  'TWIN.EMPTY': {
    status: 409,
    meaning: 'The twin has no data yet: no input has delivered events.',
    action: 'See GET /inputs: request access with POST /inputs and wait for the originators to approve.',
  },
  'SCENARIO.NOT_FOUND': {
    status: 404,
    meaning: 'No such scenario.',
    action: 'List scenarios with GET /scenarios.',
  },
  'SCENARIO.INVALID_PARAMS': {
    status: 400,
    meaning: 'The scenario parameters do not follow the scenario kind’s schema.',
    action: 'Fix the fields listed in `errors` and send the request again.',
  },
  'SIMULATION.INVALID_SCENARIO': {
    status: 422,
    meaning:
      'The engine cannot run the scenario: bad parameters, nothing in the twin matched, or a cycle in a bill of materials.',
    action: 'Fix the scenario parameters listed in `errors`.',
  },
  'RUN.NOT_FOUND': {
    status: 404,
    meaning: 'No such run.',
    action: 'List runs with GET /runs.',
  },
  'RUN.NOT_FINISHED': {
    status: 409,
    meaning: 'The run has not succeeded yet.',
    action: 'Poll GET /runs/{id} until status is succeeded.',
  },
  'RUN.FAILED': {
    status: 422,
    meaning: 'The run failed; its result cannot be read or published.',
    action: 'Check the scenario parameters, fix them with a new scenario and run again.',
  },
  'RUN.WORKER_EXITED': {
    status: 503,
    meaning: 'The simulation worker exited before it finished.',
    action: 'Run the scenario again; if it persists, report it to the operator.',
  },
  'DERIVED.NO_INPUTS': {
    status: 409,
    meaning: 'The run used no input data: there is nothing derived to publish.',
    action: 'Publish runs of scenarios that read the twin.',
  },
  'DERIVED.INPUT_DATASET': {
    status: 409,
    meaning: 'Results are never written to one of the twin’s input datasets.',
    action: 'Publish to a dataset of your own, e.g. cps.disruption-forecast.',
  },
  'DERIVED.INPUT_NOT_HELD': {
    status: 409,
    meaning: 'The service no longer holds an input the run was built on, so it may not pass the result on.',
    action: 'Run the scenario again on the twin as it is now, and publish that run.',
  },
  'DERIVED.NO_COMMON_PURPOSE': {
    status: 409,
    meaning: 'The inputs share no purpose: a result built from them could not be used for any.',
    action: 'Run the scenario on inputs granted for a common purpose.',
  },
  'DERIVED.RESIDENCY_CONFLICT': {
    status: 409,
    meaning: 'The inputs must stay in different countries: no one place may hold a result of all of them.',
    action: 'Run the scenario on inputs with compatible residency.',
  },
  'DERIVED.CONTRIBUTORS_UNVERIFIED': {
    status: 422,
    meaning: 'The contract declares more contributors than its verified lineage rests on.',
    action: 'Leave contributors out (or null): the registry counts the originators behind the inputs itself.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** Every stable error code. A literal outside the catalogue does not compile where an ErrorCode is expected. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * What a problem+json `code` can be: a catalogued code, or `HTTP.<status>` for an error the framework
 * raised with a status and no code of ours.
 */
export type ProblemCode = ErrorCode | `HTTP.${number}`;

/** The HTTP status a catalogued code is answered with (null: never an HTTP answer). */
export type StatusOf<C extends ErrorCode> = (typeof ERROR_CODES)[C]['status'];

/**
 * The HTTP status of each DomainError kind (the ProblemFilter answers with it). Codes the edge answers
 * itself (408, 414, 415, 431, 500) are not DomainErrors and have no kind.
 */
export const STATUS_OF_KIND = {
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  'too-large': 413,
  'too-many-requests': 429,
  unavailable: 503,
} as const;

type Kinds = typeof STATUS_OF_KIND;

/** The DomainError kind a catalogued code is raised with: the kind whose status is the code's. */
export type KindOf<C extends ErrorCode> = C extends ErrorCode
  ? { [K in keyof Kinds]: Kinds[K] extends StatusOf<C> ? K : never }[keyof Kinds]
  : never;

/** The catalogued codes a DomainError of kind K may carry. */
export type CodeOfKind<K extends keyof Kinds> = {
  [C in ErrorCode]: K extends KindOf<C> ? C : never;
}[ErrorCode];

/** True for a catalogued code (a computed code, e.g. a policy reason, is checked with this). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/** The catalogue entry for a code, or undefined when it is not catalogued (e.g. `HTTP.405`, a newer peer's). */
export function errorCodeInfo(code: string): ErrorCodeInfo | undefined {
  return isErrorCode(code) ? ERROR_CODES[code] : undefined;
}

/**
 * The 403 code for a policy deny: its first reason when the catalogue knows it as a 403, else
 * POLICY.DENIED (the reasons are still in the answer's detail and on the decision record).
 */
export function policyDenyCode(reason: string | undefined): CodeOfKind<'forbidden'> {
  if (isErrorCode(reason)) {
    const info: ErrorCodeInfo = ERROR_CODES[reason];
    if (info.status === 403) return reason as CodeOfKind<'forbidden'>;
  }
  return 'POLICY.DENIED';
}

/**
 * A code another Renkei service (or this service's own worker) answered with, passed on unchanged. Not
 * checked: the peer built it from the same catalogue, and a code this build does not know (a newer peer,
 * `HTTP.<status>`) is better relayed than replaced.
 */
export function relayedCode(code: string): ErrorCode {
  return code as ErrorCode;
}
