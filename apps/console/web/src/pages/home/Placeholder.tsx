import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

export function Placeholder() {
  const { t } = useTranslation();
  return <Text>{t('app.comingSoon')}</Text>;
}
