/** Define a scenario: its name, its kind, and a form for the kind's parameters, checked before it is sent. */
import {
  Button,
  Card,
  Fieldset,
  Group,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/problem';
import { useApi } from '../../auth/context';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { errorContrast } from './contrast';
import { keys, scenarioKinds, SIM, useInvalidateCps, type Scenario, type ScenarioKind } from './api';
import {
  check,
  forms,
  fromPointer,
  initialValues,
  toParams,
  type Field,
  type FieldIssue,
} from './scenarioKinds';

export function DefineScenarioPage() {
  const { t } = useTranslation();
  const api = useApi();
  const navigate = useNavigate();
  const invalidate = useInvalidateCps();
  const [kind, setKind] = useState<ScenarioKind>('disruption');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>(() => initialValues('disruption'));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [nameError, setNameError] = useState<string>();

  const define = useMutation({
    mutationFn: (body: { name: string; kind: ScenarioKind; params: Record<string, unknown> }) =>
      api.post<Scenario>(SIM, '/scenarios', body),
    onSuccess: async (scenario) => {
      await invalidate(keys.scenarios);
      void navigate(`/cps/scenarios?defined=${scenario.id}`);
    },
    onError: (error) => {
      // The service's own check: each failing path on its field.
      if (error instanceof ApiError && error.extras.errors) {
        const onFields: Record<string, string> = {};
        for (const e of error.extras.errors) {
          const path = fromPointer(e.path);
          if (path !== undefined) onFields[path] = e.message;
          if (e.path === '/name') setNameError(e.message);
        }
        setErrors(onFields);
      }
    },
  });

  const word = (issue: FieldIssue): string => {
    if (issue.message === 'stopOne') return t('cps:define.errors.stopOne');
    if (issue.message === 'country') return t('cps:define.errors.country');
    if (issue.code === 'invalid_type')
      return issue.expected === 'int'
        ? t('cps:define.errors.integer')
        : issue.message.includes('undefined')
          ? t('cps:define.errors.required')
          : issue.expected === 'string'
            ? t('cps:define.errors.required')
            : t('cps:define.errors.number');
    if (issue.code === 'too_small')
      return issue.minimum === 1 && issue.expected === 'string'
        ? t('cps:define.errors.required')
        : t(issue.inclusive === false ? 'cps:define.errors.above' : 'cps:define.errors.min', {
            value: issue.minimum,
          });
    if (issue.code === 'too_big')
      return t(issue.inclusive === false ? 'cps:define.errors.below' : 'cps:define.errors.max', {
        value: issue.maximum,
      });
    return issue.message;
  };

  const chooseKind = (next: string) => {
    const k = next as ScenarioKind;
    setKind(k);
    setValues(initialValues(k));
    setErrors({});
    define.reset();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    define.reset();
    const trimmed = name.trim();
    setNameError(trimmed ? undefined : t('cps:define.errors.required'));
    const params = toParams(kind, values);
    const issues = check(kind, params);
    const found: Record<string, string> = {};
    for (const issue of issues) found[issue.path] ??= word(issue);
    setErrors(found);
    if (!trimmed || issues.length > 0) return;
    define.mutate({ name: trimmed, kind, params });
  };

  const field = (f: Field) => {
    const label = t(`cps:fields.${kind}.${f.path}`);
    const help = t(`cps:help.${kind}.${f.path}`, { defaultValue: '' });
    return (
      <TextInput
        key={`${kind}:${f.path}`}
        label={label}
        description={help || undefined}
        required={f.required}
        inputMode={f.type === 'text' ? undefined : f.type === 'int' ? 'numeric' : 'decimal'}
        placeholder={f.placeholder}
        value={values[f.path] ?? ''}
        error={errors[f.path]}
        data-field={f.path}
        onChange={(e) => {
          const value = e.currentTarget.value;
          setValues((v) => ({ ...v, [f.path]: value }));
        }}
      />
    );
  };

  return (
    <>
      <PageHeader title={t('cps:define.title')} description={t('cps:define.description')} />
      <Card withBorder maw={900}>
        <form onSubmit={submit} noValidate aria-label={t('cps:define.title')} style={errorContrast}>
          <Stack>
            <TextInput
              label={t('cps:define.name')}
              required
              value={name}
              error={nameError}
              data-field="name"
              onChange={(e) => setName(e.currentTarget.value)}
              maxLength={200}
            />
            <Stack gap={4}>
              <Text size="sm" fw={500} id="cps-kind-label">
                {t('cps:define.kind')}
              </Text>
              <SegmentedControl
                aria-labelledby="cps-kind-label"
                value={kind}
                onChange={chooseKind}
                data={scenarioKinds.map((k) => ({ value: k, label: t(`cps:kinds.${k}`) }))}
                data-testid="scenario-kind"
              />
              <Text size="sm" c="dimmed">
                {t(`cps:kindHelp.${kind}`)}
              </Text>
            </Stack>
            {forms[kind].map((group, i) => {
              const grid = (
                <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>{group.fields.map(field)}</SimpleGrid>
              );
              const groupError = group.path ? errors[group.path] : undefined;
              return group.legend ? (
                <Fieldset key={`${kind}:${i}`} legend={t(`cps:groups.${kind}.${group.legend}`)}>
                  {grid}
                  {groupError && (
                    <Text c="red.8" size="sm" mt="xs" role="alert" data-testid={`group-error-${group.path}`}>
                      {groupError}
                    </Text>
                  )}
                </Fieldset>
              ) : (
                <div key={`${kind}:${i}`}>{grid}</div>
              );
            })}
            <ProblemAlert error={define.error} title={t('cps:define.refused')} />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => void navigate('/cps/scenarios')}>
                {t('cps:define.cancel')}
              </Button>
              <Button type="submit" loading={define.isPending} data-testid="define-scenario">
                {t('cps:define.submit')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
    </>
  );
}
