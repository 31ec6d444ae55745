import type { CSSProperties } from 'react';

/**
 * Mantine's error red on white is below 4.5:1 (WCAG AA) for the error text and the value of an invalid
 * field; within a CPS form it is the darker shade. (The theme in main.tsx could do this for every page.)
 */
export const errorContrast = { '--mantine-color-error': 'var(--mantine-color-red-8)' } as CSSProperties;

/** Alert titles in the text colour: the tinted background and the icon carry the tone, the words stay AA. */
export const alertStyles = { title: { color: 'var(--mantine-color-text)' } };
