import { ApiError } from '../../api/problem';

/**
 * The offboarding preview route is not there (a clearing from before it): the platform answers an unknown
 * route with HTTP.NOT_FOUND, while an unknown participant is PARTICIPANT.NOT_FOUND. Without the preview the
 * console does not offer offboarding.
 */
export const previewMissing = (error: unknown): boolean =>
  error instanceof ApiError && error.status === 404 && error.code === 'HTTP.NOT_FOUND';
