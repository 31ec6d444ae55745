/** Dates and numbers in the user's language and time zone (the browser's). */
import { useTranslation } from 'react-i18next';

const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function formatDateTime(value: string | number | Date | null | undefined, lng: string): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeStyle: 'medium', timeZone }).format(date);
}

export function formatNumber(value: number | null | undefined, lng: string): string {
  return value === null || value === undefined ? '—' : new Intl.NumberFormat(lng).format(value);
}

/** Formatters bound to the current language. */
export function useFormat() {
  const { i18n } = useTranslation();
  const lng = i18n.resolvedLanguage ?? 'en';
  return {
    lng,
    timeZone,
    dateTime: (v: string | number | Date | null | undefined) => formatDateTime(v, lng),
    number: (v: number | null | undefined) => formatNumber(v, lng),
  };
}
