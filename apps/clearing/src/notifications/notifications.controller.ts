import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal, type Principal } from '#libs/auth';
import { ApiZodQuery, Problems, Responds, UuidPipe, ZodPipe } from '#libs/platform';
import { NotificationsService } from './notifications.service.js';

const ListNotificationsSchema = z.object({
  unread: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Only notifications not yet marked read'),
});

const NotificationSchema = z.object({
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

const example = {
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

@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Authenticated('api', 'grants:read')
  @ApiOperation({
    summary: 'What changed in contracts you hold access to (new versions, deprecations, retirements)',
    description: 'Newest first, at most 200. Open delivery streams also receive these as notice lines.',
  })
  @ApiZodQuery(ListNotificationsSchema)
  @Responds(200, z.array(NotificationSchema), { description: 'Your notifications', example: [example] })
  list(
    @CurrentPrincipal() actor: Principal,
    @Query(new ZodPipe(ListNotificationsSchema)) query: z.infer<typeof ListNotificationsSchema>,
  ) {
    return this.notifications.list(actor, query.unread);
  }

  @Post(':id/read')
  @HttpCode(200)
  @Authenticated('api', 'grants:read')
  @ApiOperation({ summary: 'Mark a notification read' })
  @Responds(200, NotificationSchema, {
    description: 'The notification',
    example: { ...example, readAt: '2026-11-21T06:05:00.000Z' },
  })
  @Problems({ 404: ['NOTIFICATION.NOT_FOUND'] })
  markRead(@CurrentPrincipal() actor: Principal, @Param('id', new UuidPipe()) id: string) {
    return this.notifications.markRead(actor, id);
  }
}
