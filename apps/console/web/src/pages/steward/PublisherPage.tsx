/**
 * The test publisher: a form built from the contract's JSON Schema (a field per property, by type, with
 * its required mark, enum, limits and pattern), checked as you type, published with a publish token. A
 * refusal from the exchange is shown on the field its path names.
 */
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Code,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useApi } from '../../auth/context';
import { ApiError } from '../../api/problem';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { seg, useMe, readable } from './common';
import type { CatalogPage, ContractView, DatasetToken, Published } from './types';
import { validate, type Failure, type Schema } from './validate';

type Raw = string | number | boolean | undefined;

interface FieldSpec {
  name: string;
  schema: Schema;
  required: boolean;
  kind: 'text' | 'enum' | 'number' | 'integer' | 'boolean' | 'datetime' | 'json';
  nullable: boolean;
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** One form field per top-level property of the schema. */
export function fieldsOf(schema: Schema): FieldSpec[] {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => {
    const types = Array.isArray(s.type) ? (s.type as string[]) : s.type ? [s.type as string] : [];
    const base = types.find((t) => t !== 'null');
    const kind: FieldSpec['kind'] = Array.isArray(s.enum)
      ? 'enum'
      : base === 'string' && s.format === 'date-time'
        ? 'datetime'
        : base === 'string'
          ? 'text'
          : base === 'integer'
            ? 'integer'
            : base === 'number'
              ? 'number'
              : base === 'boolean'
                ? 'boolean'
                : 'json';
    return { name, schema: s, required: required.has(name), kind, nullable: types.includes('null') };
  });
}

/** The payload the form's values make (empty optional fields are left out). */
function payloadOf(
  fields: FieldSpec[],
  raw: Record<string, Raw>,
): { payload: Record<string, unknown>; bad: Failure[] } {
  const payload: Record<string, unknown> = {};
  const bad: Failure[] = [];
  for (const f of fields) {
    const v = raw[f.name];
    if (v === undefined || v === '') continue;
    if (f.kind === 'number' || f.kind === 'integer') payload[f.name] = typeof v === 'number' ? v : Number(v);
    else if (f.kind === 'boolean') payload[f.name] = v === true;
    else if (f.kind === 'enum') payload[f.name] = JSON.parse(String(v)) as unknown;
    else if (f.kind === 'datetime') {
      const d = new Date(String(v));
      payload[f.name] = Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
    } else if (f.kind === 'json') {
      try {
        payload[f.name] = JSON.parse(String(v)) as unknown;
      } catch {
        bad.push({ path: `/${escape(f.name)}`, keyword: 'json', params: {} });
      }
    } else payload[f.name] = v;
  }
  return { payload, bad };
}

export function PublisherPage() {
  const { t } = useTranslation();
  const api = useApi();
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const dataset = params.get('dataset');
  const mine = useQuery({
    queryKey: ['steward', 'catalog', 'mine', me],
    queryFn: ({ signal }) =>
      api.get<CatalogPage>('registry', '/catalog', { query: { owner: me, limit: 100 }, signal }),
  });
  const contract = useQuery({
    queryKey: ['steward', 'contract', dataset],
    queryFn: ({ signal }) => api.get<ContractView>('registry', `/contracts/${seg(dataset!)}`, { signal }),
    enabled: !!dataset,
  });
  return (
    <>
      <PageHeader title={t('steward:publish.title')} description={t('steward:publish.description')} />
      <ProblemAlert error={mine.error} />
      <Select
        label={t('steward:publish.dataset')}
        placeholder={t('steward:publish.chooseDataset')}
        data={(mine.data?.items ?? []).map((c) => ({ value: c.dataset, label: `${c.dataset} — ${c.title}` }))}
        value={dataset}
        onChange={(v) => v && setParams({ dataset: v })}
        allowDeselect={false}
        maw={480}
        mb="md"
        nothingFoundMessage={t('steward:publish.noDatasets')}
        data-testid="publish-dataset"
      />
      <ProblemAlert error={contract.error} />
      {dataset && contract.isPending && <Skeleton h={240} />}
      {contract.data && (
        <PublishForm key={`${contract.data.dataset}@${contract.data.version}`} contract={contract.data} />
      )}
    </>
  );
}

function PublishForm({ contract }: { contract: ContractView }) {
  const { t } = useTranslation();
  const api = useApi();
  const fields = useMemo(() => fieldsOf(contract.schema), [contract.schema]);
  const [raw, setRaw] = useState<Record<string, Raw>>({});
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [subject, setSubject] = useState('');
  const [type, setType] = useState('');
  const [checkHere, setCheckHere] = useState(true);
  const { payload, bad } = useMemo(() => payloadOf(fields, raw), [fields, raw]);
  const failures = useMemo(
    () => [...bad, ...validate(contract.schema, payload)],
    [bad, contract.schema, payload],
  );
  const publish = useMutation({
    mutationFn: async () => {
      const token = await api.post<DatasetToken>('clearing', '/tokens/dataset', {
        dataset: contract.dataset,
        action: 'publish',
      });
      return api.post<Published>(
        'exchange',
        `/datasets/${seg(contract.dataset)}/events`,
        {
          contractVersion: contract.version,
          events: [
            {
              payload,
              ...(subject.trim() ? { subject: subject.trim() } : {}),
              ...(type.trim() ? { type: type.trim() } : {}),
            },
          ],
        },
        { token: token.access_token },
      );
    },
  });
  // The server's refusal, on the field its path names (/events/0/payload/<field>).
  const serverErrors = new Map<string, string>();
  if (publish.error instanceof ApiError)
    for (const e of publish.error.extras.errors ?? []) {
      const m = /^\/events\/\d+\/payload(\/[^/]+)?/.exec(e.path);
      if (m) serverErrors.set(m[1] ?? '', e.message);
    }
  const message = (f: Failure) =>
    t(`steward:validation.${f.keyword}`, { ...f.params, defaultValue: f.keyword });
  const errorFor = (name: string) => {
    const path = `/${escape(name)}`;
    const server = serverErrors.get(path);
    if (server) return t('steward:publish.serverSays', { message: server });
    if (!checkHere || (!touched.has(name) && !publish.isError && !publish.isSuccess)) return undefined;
    const mine = failures.filter((f) => f.path === path || f.path.startsWith(`${path}/`));
    return mine.length ? mine.map(message).join('; ') : undefined;
  };
  const set = (name: string, value: Raw) => {
    setRaw((r) => ({ ...r, [name]: value }));
    setTouched((s) => new Set(s).add(name));
    if (publish.isError || publish.isSuccess) publish.reset();
  };
  const rootErrors = failures.filter(
    (f) => f.path === '' || !fields.some((x) => f.path.startsWith(`/${escape(x.name)}`)),
  );
  const blocked = checkHere && failures.length > 0;

  return (
    // Error text at 4.5:1 on white (the default error red is lighter).
    <SimpleGrid cols={{ base: 1, lg: 2 }} style={{ '--mantine-color-error': 'var(--mantine-color-red-9)' }}>
      <Card
        withBorder
        component="form"
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(new Set(fields.map((f) => f.name)));
          if (!blocked) publish.mutate();
        }}
        aria-labelledby="publish-form-title"
      >
        <Title order={2} size="h4" id="publish-form-title" mb="xs">
          {t('steward:publish.event', { dataset: contract.dataset, version: contract.version })}
        </Title>
        <Stack>
          <Group grow>
            <TextInput
              label={t('steward:publish.subject')}
              description={t('steward:publish.subjectHelp')}
              value={subject}
              onChange={(e) => setSubject(e.currentTarget.value)}
            />
            <TextInput
              label={t('steward:publish.type')}
              description={t('steward:publish.typeHelp')}
              value={type}
              onChange={(e) => setType(e.currentTarget.value)}
            />
          </Group>
          <Title order={3} size="h5">
            {t('steward:publish.payload')}
          </Title>
          {fields.length === 0 && <Text c="dimmed">{t('steward:publish.noFields')}</Text>}
          {fields.map((f) => (
            <SchemaField
              key={f.name}
              field={f}
              value={raw[f.name]}
              onChange={(v) => set(f.name, v)}
              error={errorFor(f.name)}
            />
          ))}
          {checkHere && rootErrors.length > 0 && (touched.size > 0 || publish.isError) && (
            <Alert styles={readable} color="red" data-testid="publish-root-errors">
              {rootErrors.map((f) => (
                <Text size="sm" key={`${f.path}-${f.keyword}`}>
                  <Code>{f.path || '/'}</Code> {message(f)}
                </Text>
              ))}
            </Alert>
          )}
          <Switch
            label={t('steward:publish.checkHere')}
            description={t('steward:publish.checkHereHelp')}
            checked={checkHere}
            onChange={(e) => setCheckHere(e.currentTarget.checked)}
            data-testid="publish-check-here"
          />
          <ProblemAlert error={publish.error} title={t('steward:publish.refused')} />
          {publish.data && (
            <Alert
              styles={readable}
              color="green"
              icon={<IconCircleCheck />}
              title={t('steward:publish.accepted')}
              data-testid="publish-accepted"
            >
              {t('steward:publish.acceptedDetail', {
                count: publish.data.accepted,
                version: publish.data.contractVersion,
                ids: publish.data.eventIds.join(', '),
              })}
              {publish.data.warnings?.map((w) => (
                <Text size="sm" key={w}>
                  {w}
                </Text>
              ))}
            </Alert>
          )}
          <Group>
            <Button
              type="submit"
              loading={publish.isPending}
              disabled={blocked && touched.size > 0}
              data-testid="publish-submit"
            >
              {t('steward:publish.submit')}
            </Button>
            {blocked && touched.size > 0 && (
              <Text size="sm" c="red.9" data-testid="publish-blocked">
                {t('steward:publish.fix', { count: failures.length })}
              </Text>
            )}
          </Group>
        </Stack>
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          {t('steward:publish.preview')}
        </Title>
        <Code block data-testid="publish-preview">
          {JSON.stringify(
            { events: [{ ...(subject ? { subject } : {}), ...(type ? { type } : {}), payload }] },
            null,
            2,
          )}
        </Code>
      </Card>
    </SimpleGrid>
  );
}

function SchemaField({
  field: f,
  value,
  onChange,
  error,
}: {
  field: FieldSpec;
  value: Raw;
  onChange: (v: Raw) => void;
  error: string | undefined;
}) {
  const { t } = useTranslation();
  const s = f.schema;
  const hints = [
    typeof s.minimum === 'number' ? t('steward:publish.hint.min', { limit: s.minimum }) : null,
    typeof s.maximum === 'number' ? t('steward:publish.hint.max', { limit: s.maximum }) : null,
    typeof s.minLength === 'number' ? t('steward:publish.hint.minLength', { limit: s.minLength }) : null,
    typeof s.maxLength === 'number' ? t('steward:publish.hint.maxLength', { limit: s.maxLength }) : null,
    typeof s.pattern === 'string' ? t('steward:publish.hint.pattern', { pattern: s.pattern }) : null,
    typeof s.format === 'string' ? t('steward:publish.hint.format', { format: s.format }) : null,
  ].filter(Boolean);
  const description = [typeof s.description === 'string' ? s.description : null, hints.join(' · ') || null]
    .filter(Boolean)
    .join(' — ');
  const common = {
    label: `${f.name}${typeof s.title === 'string' ? ` (${s.title})` : ''}`,
    description: description || undefined,
    required: f.required,
    error,
    'data-testid': `field-${f.name}`,
  };
  switch (f.kind) {
    case 'enum':
      return (
        <Select
          {...common}
          data={(s.enum as unknown[]).map((e) => ({ value: JSON.stringify(e), label: String(e) }))}
          value={typeof value === 'string' ? value : null}
          onChange={(v) => onChange(v ?? undefined)}
          clearable={!f.required}
        />
      );
    case 'number':
    case 'integer':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' || typeof value === 'string' ? value : ''}
          onChange={(v) => onChange(v === '' ? undefined : v)}
          allowDecimal={f.kind === 'number'}
          min={typeof s.minimum === 'number' ? s.minimum : undefined}
          max={typeof s.maximum === 'number' ? s.maximum : undefined}
          clampBehavior="none"
        />
      );
    case 'boolean':
      return (
        <Checkbox
          label={common.label}
          description={common.description}
          error={error}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          data-testid={common['data-testid']}
        />
      );
    case 'datetime':
      return (
        <TextInput
          {...common}
          type="datetime-local"
          step={1}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value || undefined)}
        />
      );
    case 'json':
      return (
        <Textarea
          {...common}
          description={[common.description, t('steward:publish.asJson')].filter(Boolean).join(' — ')}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value || undefined)}
          autosize
          minRows={2}
          styles={{ input: { fontFamily: 'monospace' } }}
        />
      );
    case 'text':
      return (
        <TextInput
          {...common}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}
