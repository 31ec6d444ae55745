import { Card, SimpleGrid, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSignedIn } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import type { Area } from '../../layout/area';

/** Where a person lands: the parts of the console their roles open. */
export function Home({ areas }: { areas: Area[] }) {
  const { t } = useTranslation();
  const { identity } = useSignedIn();
  return (
    <>
      <PageHeader title={t('home.welcome', { name: identity.name })} description={t('home.description')} />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {areas.flatMap((area) =>
          area.nav.map((item) => (
            <Card key={item.path} withBorder component={Link} to={item.path}>
              <Text fw={600}>{t(item.label)}</Text>
              <Text size="sm" c="dimmed">
                {t(area.label)}
              </Text>
            </Card>
          )),
        )}
      </SimpleGrid>
    </>
  );
}
