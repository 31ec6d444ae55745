import {
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconLogout } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router';
import { useSignedIn } from '../auth/context';
import type { Area } from './area';
import { LanguageSwitch } from './LanguageSwitch';

export function Shell({ areas }: { areas: Area[] }) {
  const { t } = useTranslation();
  const { identity, signOut } = useSignedIn();
  const [opened, { toggle }] = useDisclosure();
  const location = useLocation();
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 260, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('app.menu')} />
            <Title order={2} size="h4">
              {t('app.name')}
            </Title>
          </Group>
          <Group gap="sm">
            <LanguageSwitch />
            <Stack gap={0} visibleFrom="sm" align="flex-end">
              <Text size="sm" fw={600} data-testid="who">
                {identity.name}
              </Text>
              <Group gap={4}>
                {identity.roles.map((r) => (
                  <Badge key={r} size="xs" variant="light">
                    {t(`roles.${r}`)}
                  </Badge>
                ))}
              </Group>
            </Stack>
            <Button
              variant="subtle"
              size="xs"
              leftSection={<IconLogout size={14} />}
              onClick={() => void signOut()}
            >
              {t('signIn.signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('app.navigation')}>
        <ScrollArea>
          {areas.map((area) => (
            <Stack key={area.id} gap={0} mb="sm">
              <Text size="xs" tt="uppercase" fw={700} c="dimmed" px="sm" py={4}>
                {t(area.label)}
              </Text>
              {area.nav.map((item) => (
                <NavLink
                  key={item.path}
                  component={RouterLink}
                  to={item.path}
                  label={t(item.label)}
                  leftSection={<item.icon size={16} />}
                  active={location.pathname === item.path || location.pathname.startsWith(`${item.path}/`)}
                />
              ))}
            </Stack>
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
