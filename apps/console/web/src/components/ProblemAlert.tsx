/**
 * How every refusal is shown: what happened (the service's words and stable code), why (the policy rule and
 * its explanation, when a policy decided), which field (the failing path), and what to do next.
 */
import { Alert, Code, List, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { ApiError, UnreachableError } from '../api/problem';
import { explain } from './explain';

export function ProblemAlert({ error, title }: { error: unknown; title?: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  if (error instanceof UnreachableError) {
    return (
      <Alert
        color="orange"
        icon={<IconAlertTriangle />}
        title={title ?? t('problem.unreachable')}
        role="alert"
      >
        {t('problem.unreachableNext')}
      </Alert>
    );
  }
  if (!(error instanceof ApiError)) {
    return (
      <Alert color="red" icon={<IconAlertTriangle />} title={title ?? t('problem.failed')} role="alert">
        {error instanceof Error ? error.message : JSON.stringify(error)}
      </Alert>
    );
  }
  const { extras } = error;
  const why = extras.explanations?.length
    ? extras.explanations.map((e) => explain(t, e))
    : extras.explanation
      ? [extras.explanation]
      : [];
  return (
    <Alert
      color={error.status >= 500 ? 'orange' : 'red'}
      icon={<IconAlertTriangle />}
      title={title ?? (extras.title && extras.title !== error.code ? extras.title : t('problem.refused'))}
      role="alert"
      data-testid="problem"
    >
      <Stack gap={4}>
        <Text size="sm">{error.detail}</Text>
        {why.length > 0 && (
          <div data-testid="problem-why">
            <Text size="sm" fw={600}>
              {t('problem.why')}
              {extras.rule && (
                <>
                  {' '}
                  <Code>{extras.rule}</Code>
                </>
              )}
            </Text>
            <List size="sm">
              {why.map((w) => (
                <List.Item key={w}>{w}</List.Item>
              ))}
            </List>
          </div>
        )}
        {extras.errors?.map((e) => (
          <Text size="sm" key={`${e.path}:${e.message}`}>
            <Code>{e.path || '/'}</Code> {e.message}
          </Text>
        ))}
        {(extras.hint || extras.retryAfter) && (
          <Text size="sm">
            <b>{t('problem.next')}</b> {extras.hint}
            {extras.retryAfter ? ` ${t('problem.retryAfter', { seconds: extras.retryAfter })}` : ''}
          </Text>
        )}
        <Text size="xs" c="dimmed">
          {error.status} · <Code>{error.code}</Code>
        </Text>
      </Stack>
    </Alert>
  );
}
