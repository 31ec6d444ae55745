/** Small pieces the admin pages share: status badges, country names, role and certification labels. */
import { Group, Text } from '@mantine/core';
import { IconCircleCheck, IconCircleOff, IconClock, IconPlayerPause } from '@tabler/icons-react';
import { useMemo, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import type { ParticipantStatus } from './types';

const statusLook: Record<ParticipantStatus, { color: string; icon: typeof IconCircleCheck }> = {
  active: { color: 'teal', icon: IconCircleCheck },
  suspended: { color: 'orange', icon: IconPlayerPause },
  pending: { color: 'gray', icon: IconClock },
  offboarded: { color: 'dark', icon: IconCircleOff },
};

/** A status in words and an icon, not colour alone. */
export function StatusBadge({ status }: { status: ParticipantStatus }) {
  const { t } = useTranslation();
  const look = statusLook[status] ?? statusLook.pending;
  return (
    <Group gap={4} wrap="nowrap" data-testid="participant-status">
      <look.icon size={16} color={`var(--mantine-color-${look.color}-8)`} aria-hidden />
      <Text size="sm" fw={600} style={{ whiteSpace: 'nowrap' }}>
        {t(`admin:status.${status}`, { defaultValue: status })}
      </Text>
    </Group>
  );
}

/** Every ISO 3166-1 alpha-2 region the browser can name, in the user's language, sorted by name. */
export function useCountries(): { value: string; label: string }[] {
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  return useMemo(() => {
    const names = new Intl.DisplayNames([lng], { type: 'region', fallback: 'none' });
    const notCountries = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ', 'AA', 'QM', 'QZ', 'XX']);
    const out: { value: string; label: string }[] = [];
    for (let a = 65; a <= 90; a++)
      for (let b = 65; b <= 90; b++) {
        const code = String.fromCharCode(a, b);
        if (notCountries.has(code)) continue;
        let name: string | undefined;
        try {
          name = names.of(code);
        } catch {
          name = undefined;
        }
        if (name && name !== code) out.push({ value: code, label: `${name} (${code})` });
      }
    return out.sort((x, y) => x.label.localeCompare(y.label, lng));
  }, [lng]);
}

export function useCountryName(): (code: string) => string {
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  return useMemo(() => {
    const names = new Intl.DisplayNames([lng], { type: 'region', fallback: 'code' });
    return (code: string) => {
      try {
        return names.of(code) ?? code;
      } catch {
        return code;
      }
    };
  }, [lng]);
}

/**
 * Mantine's error red (red-6) on white is 3.3:1, under WCAG AA's 4.5:1: the admin pages (and their modals,
 * which render outside the page) use red-9 for errors. The theme's CSS variables resolver is the better home.
 */
export const errorContrast = { '--mantine-color-error': 'var(--mantine-color-red-9)' } as CSSProperties;

/** Alert text in the page's text colour: the light variants' coloured text falls under 4.5:1. */
export const alertText = {
  title: { color: 'var(--mantine-color-text)' },
  message: { color: 'var(--mantine-color-text)' },
};
