import { forbidden } from '@renkei/domain';
import { requireScope, type Principal } from '@renkei/auth';

/** Exchange tokens carry `<action>:<dataset>`; a token for another dataset or action is refused. */
export function requireDatasetScope(
  principal: Principal,
  action: 'publish' | 'subscribe',
  dataset: string,
): void {
  requireScope(principal, `${action}:${dataset}`);
  if (principal.claims.dataset && principal.claims.dataset !== dataset) {
    throw forbidden('TOKEN.INSUFFICIENT_SCOPE', 'This token is for another dataset');
  }
}
