/**
 * The longest path segment (as sent, percent-encoded) routed to a handler: above any id's limit even when
 * every character takes 12 bytes encoded, so an over-long id is its pipe's 400 naming it.
 */
export const MAX_PARAM_LENGTH = 4096;
