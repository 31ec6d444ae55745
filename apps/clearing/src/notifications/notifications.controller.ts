import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal, type Principal } from '@renkei/auth';
import { ApiZodQuery, Problems, Responds, UuidPipe, ZodPipe } from '@renkei/platform';
import {
  ListNotificationsSchema,
  NotificationSchema,
  notificationExample as example,
  type ListNotifications,
} from './notifications.dto.js';
import { NotificationsService } from './notifications.service.js';

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
    @Query(new ZodPipe(ListNotificationsSchema)) query: ListNotifications,
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
