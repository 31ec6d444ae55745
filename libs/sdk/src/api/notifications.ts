import type { Notification, NotificationRead } from './dto.js';
import { Session } from './session.js';

/** Clearing: notices about the contracts you hold access to. */
export class NotificationCalls extends Session {
  /** Changes to contracts you hold access to: new versions, deprecations, retirements. */
  notifications(unread = false) {
    return this.call<Notification[]>('clearing', 'GET', `/notifications?unread=${String(unread)}`);
  }
  markNotificationRead(id: string) {
    return this.call<NotificationRead>('clearing', 'POST', `/notifications/${id}/read`);
  }
}
