import { z } from 'zod';

export const ListNotificationsSchema = z.object({
  unread: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Only notifications not yet marked read'),
});

export const NotificationSchema = z.object({
  id: z.uuid(),
  kind: z.string().describe('CONTRACT.NEW_VERSION | CONTRACT.DEPRECATED | CONTRACT.RETIRED'),
  dataset: z.string(),
  version: z.string().nullable(),
  grantId: z.string().nullable(),
  message: z.string(),
  reason: z.string().nullable(),
  at: z.string(),
  readAt: z.string().nullable(),
});

export const notificationExample = {
  id: '0b9f3c4e-5d7a-4a52-9d7e-3c1f2a9b8e61',
  kind: 'CONTRACT.DEPRECATED',
  dataset: 'battery.cfp',
  version: '1.0.0',
  grantId: '7c2d1e0f-3b4a-4c5d-8e9f-0a1b2c3d4e5f',
  message:
    "Version 1.0.0 of 'battery.cfp' is deprecated and will be retired; plan to move to the current version",
  reason: 'Superseded by 1.1.0; retirement planned for 2027-03-31',
  at: '2026-11-21T06:00:00.000Z',
  readAt: null,
};

export type ListNotifications = z.infer<typeof ListNotificationsSchema>;
