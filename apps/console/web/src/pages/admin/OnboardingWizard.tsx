/**
 * Onboarding a company, step by step: who it is (legal identifiers checked while typing), its public key
 * (pasted, or generated here with the private half handed over as a key file once the participant exists),
 * what the consortium attests for it, and a review. The registry's refusals land on the field they name.
 */
import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Code,
  Group,
  Paper,
  Radio,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Stepper,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { IconCircleCheck, IconDownload, IconKey, IconShieldLock } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../api/problem';
import { useApi } from '../../auth/context';
import { generateParticipantKey } from '../../auth/keys';
import { PageHeader } from '../../components/PageHeader';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useFormat } from '../../format';
import {
  bpnProblem,
  corporateNumberProblem,
  INDUSTRY_PATTERN,
  leiProblem,
  type FieldProblem,
} from './identifiers';
import { assertUsable, parsePublicKeys, PastedKeyError } from './jwk';
import { alertText, useCountries, useCountryName } from './labels';
import { participantsKey } from './queries';
import {
  certifications as allCertifications,
  protectionLevels,
  roles as allRoles,
  type AttestedCertification,
  type Certification,
  type OnboardRequest,
  type Participant,
  type ParticipantRole,
  type ProtectionLevel,
  type PublicJwk,
} from './types';

interface Draft {
  corporateNumber: string;
  lei: string;
  bpn: string;
  legalName: string;
  industry: string;
  country: string | null;
  roles: ParticipantRole[];
  keySource: 'generate' | 'paste';
  generated?: { publicJwk: PublicJwk; privateJwk: JsonWebKey };
  pasted: string;
  protection: ProtectionLevel;
  certifications: Certification[];
  evidence: Partial<Record<Certification, string>>;
  /** yyyy-mm-dd, the last day the certification holds (in the user's time zone). */
  expires: Partial<Record<Certification, string>>;
}

const emptyDraft: Draft = {
  corporateNumber: '',
  lei: '',
  bpn: '',
  legalName: '',
  industry: '',
  country: 'JP',
  roles: ['member'],
  keySource: 'generate',
  pasted: '',
  protection: 'access-control',
  certifications: [],
  evidence: {},
  expires: {},
};

/** A field of the wizard (where a problem is shown) and the step it is on. */
type Field =
  | 'corporateNumber'
  | 'lei'
  | 'bpn'
  | 'legalName'
  | 'industry'
  | 'country'
  | 'roles'
  | 'key'
  | 'protection'
  | 'certifications'
  | `evidence.${Certification}`
  | `expires.${Certification}`;

const stepOf = (field: Field): number =>
  ['corporateNumber', 'lei', 'bpn', 'legalName', 'industry', 'country', 'roles'].includes(field)
    ? 0
    : field === 'key'
      ? 1
      : 2;

type Problems = Partial<Record<Field, string>>;

/** Certifications that must come with evidence and an expiry. */
const needsEvidence = (c: Certification) => c === 'health-data-handler';

const endOfDay = (day: string) => new Date(`${day}T23:59:59`).toISOString();

function toRequest(d: Draft, keys: PublicJwk[]): OnboardRequest {
  const certifications: AttestedCertification[] = d.certifications.map((c) => {
    const evidence = d.evidence[c]?.trim() || null;
    const expiresAt = d.expires[c] ? endOfDay(d.expires[c]) : null;
    return evidence || expiresAt ? { certification: c, evidence, expiresAt } : c;
  });
  return {
    legalName: d.legalName.trim(),
    ...(d.corporateNumber.trim() ? { corporateNumber: d.corporateNumber.trim() } : {}),
    ...(d.lei.trim() ? { lei: d.lei.trim() } : {}),
    ...(d.bpn.trim() ? { bpn: d.bpn.trim() } : {}),
    industry: d.industry.trim(),
    country: d.country ?? '',
    roles: d.roles,
    certifications,
    protection: d.protection,
    jwks: { keys },
  };
}

/** The registry's `errors[].path` (JSON Pointer into the request) as a wizard field, when it names one. */
function fieldOfPath(path: string, d: Draft): Field | undefined {
  const parts = path.split('/').filter(Boolean);
  const [head, second, third] = parts;
  switch (head ?? '') {
    case 'corporateNumber':
    case 'lei':
    case 'bpn':
    case 'legalName':
    case 'industry':
    case 'country':
    case 'roles':
    case 'protection':
      return head as Field;
    case 'jwks':
      return 'key';
    case 'certifications': {
      const cert = second !== undefined ? d.certifications[Number(second)] : undefined;
      if (cert && third === 'evidence') return `evidence.${cert}`;
      if (cert && third === 'expiresAt') return `expires.${cert}`;
      return 'certifications';
    }
    default:
      return undefined;
  }
}

/** Problems of a step the browser can see by itself (the registry checks the same again). */
function localProblems(d: Draft, step: number, t: TFunction): Problems {
  const out: Problems = {};
  const say = (p: FieldProblem | undefined) => (p ? t(`admin:${p.key}`, p.values ?? {}) : undefined);
  if (step === 0) {
    const corp = say(corporateNumberProblem(d.corporateNumber));
    if (corp) out.corporateNumber = corp;
    const lei = say(leiProblem(d.lei));
    if (lei) out.lei = lei;
    const bpn = say(bpnProblem(d.bpn));
    if (bpn) out.bpn = bpn;
    if (!d.corporateNumber.trim() && !d.lei.trim() && !d.bpn.trim())
      out.corporateNumber = t('admin:onboard.errors.identifierRequired');
    if (!d.legalName.trim()) out.legalName = t('admin:onboard.errors.required');
    if (!INDUSTRY_PATTERN.test(d.industry.trim())) out.industry = t('admin:onboard.errors.industry');
    if (!d.country) out.country = t('admin:onboard.errors.required');
    if (d.roles.length === 0) out.roles = t('admin:onboard.errors.roles');
  }
  if (step === 1) {
    if (d.keySource === 'generate' && !d.generated) out.key = t('admin:onboard.key.errors.notGenerated');
    if (d.keySource === 'paste') {
      if (!d.pasted.trim()) out.key = t('admin:onboard.key.errors.missing');
      else
        try {
          parsePublicKeys(d.pasted);
        } catch (e) {
          if (e instanceof PastedKeyError) out.key = t(`admin:${e.reason}`, e.values);
        }
    }
  }
  if (step === 2) {
    const today = new Date();
    const todayDay = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    for (const c of d.certifications) {
      if (needsEvidence(c) && !d.evidence[c]?.trim())
        out[`evidence.${c}`] = t('admin:onboard.errors.evidenceRequired');
      if (needsEvidence(c) && !d.expires[c]) out[`expires.${c}`] = t('admin:onboard.errors.expiryRequired');
      const day = d.expires[c];
      if (day && day < todayDay) out[`expires.${c}`] = t('admin:onboard.errors.expiryPast');
    }
  }
  return out;
}

/** Saves the private key as a Renkei key file (what the sign-in page reads). */
function downloadKeyFile(participant: Participant, privateJwk: JsonWebKey) {
  const file = { participant: participant.id, name: participant.legalName, privateJwk };
  const blob = new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' });
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  const slug = participant.legalName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  a.href = href;
  a.download = `renkei-key-${slug || 'participant'}-${participant.id.slice(0, 8)}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

export function OnboardingWizard() {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [active, setActive] = useState(0);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [shown, setShown] = useState<Set<Field>>(new Set());
  const [server, setServer] = useState<Problems>({});
  const [downloaded, setDownloaded] = useState(false);
  const [generating, setGenerating] = useState(false);
  /** Whether the last refusal named something no field shows (then the whole problem is shown). */
  const [leftover, setLeftover] = useState(false);

  const set = <K extends keyof Draft>(key: K, value: Draft[K], field?: Field) => {
    setDraft((d) => ({ ...d, [key]: value }));
    const f = field ?? (key as Field);
    setServer((s) => {
      if (!(f in s)) return s;
      const { [f]: _gone, ...rest } = s;
      return rest;
    });
  };
  const touch = (f: Field) => setShown((s) => (s.has(f) ? s : new Set(s).add(f)));

  const local = useMemo(
    () => ({ ...localProblems(draft, 0, t), ...localProblems(draft, 1, t), ...localProblems(draft, 2, t) }),
    [draft, t],
  );
  /** What a field shows: the registry's refusal, else the live check once the field was touched. */
  const errorOf = (f: Field): string | undefined => server[f] ?? (shown.has(f) ? local[f] : undefined);

  const onboard = useMutation({
    mutationFn: async () => {
      const keys =
        draft.keySource === 'generate' ? [draft.generated!.publicJwk] : parsePublicKeys(draft.pasted);
      return api.post<Participant>('registry', '/participants', toRequest(draft, keys));
    },
    onSuccess: async () => {
      setActive(4);
      await queryClient.invalidateQueries({ queryKey: participantsKey });
    },
    onError: (error) => {
      if (!(error instanceof ApiError)) return;
      const mapped: Problems = {};
      let unplaced = 0;
      for (const e of error.extras.errors ?? []) {
        const f = fieldOfPath(e.path, draft);
        if (f) mapped[f] = mapped[f] ? `${mapped[f]}; ${e.message}` : e.message;
        else unplaced++;
      }
      if (error.code === 'PARTICIPANT.ALREADY_ONBOARDED') {
        const f: Field = draft.corporateNumber.trim() ? 'corporateNumber' : draft.lei.trim() ? 'lei' : 'bpn';
        mapped[f] = t('admin:onboard.errors.alreadyOnboarded');
      }
      setServer(mapped);
      setLeftover(unplaced > 0);
      const fields = Object.keys(mapped) as Field[];
      if (fields.length > 0) setActive(Math.min(...fields.map(stepOf)));
    },
  });

  // The generated private key lives only in this page until it is downloaded: warn before it is lost.
  const keyAtRisk = !!draft.generated && !downloaded && draft.keySource === 'generate';
  useEffect(() => {
    if (!keyAtRisk) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [keyAtRisk]);

  const next = async () => {
    const problems = localProblems(draft, active, t);
    const fields = Object.keys(problems) as Field[];
    if (fields.length > 0) {
      setShown((s) => new Set([...s, ...fields]));
      return;
    }
    if (active === 1 && draft.keySource === 'paste') {
      try {
        await assertUsable(parsePublicKeys(draft.pasted));
      } catch (e) {
        if (e instanceof PastedKeyError) {
          setServer((s) => ({ ...s, key: t(`admin:${e.reason}`, e.values) }));
          return;
        }
        throw e;
      }
    }
    setActive((a) => a + 1);
  };

  const generate = async () => {
    setGenerating(true);
    try {
      const { publicJwk, privateJwk } = await generateParticipantKey();
      set('generated', { publicJwk: publicJwk as PublicJwk, privateJwk }, 'key');
      setDownloaded(false);
    } finally {
      setGenerating(false);
    }
  };

  const unmapped =
    onboard.error instanceof ApiError && Object.keys(server).length > 0 && !leftover
      ? undefined
      : onboard.error;
  const done = onboard.isSuccess;

  return (
    <>
      <PageHeader title={t('admin:onboard.title')} description={t('admin:onboard.description')} />
      <Stepper
        active={active}
        onStepClick={done ? undefined : setActive}
        allowNextStepsSelect={false}
        data-testid="onboard-stepper"
      >
        <Stepper.Step
          label={t('admin:onboard.steps.company')}
          description={t('admin:onboard.steps.companyHelp')}
        >
          <Paper withBorder p="lg" component="section" aria-labelledby="step-company">
            <Stack>
              <Title order={2} size="h4" id="step-company">
                {t('admin:onboard.steps.company')}
              </Title>
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <TextInput
                  label={t('admin:onboard.fields.corporateNumber')}
                  description={t('admin:onboard.fields.corporateNumberHelp')}
                  value={draft.corporateNumber}
                  inputMode="numeric"
                  maxLength={13}
                  onChange={(e) => {
                    set('corporateNumber', e.currentTarget.value.replace(/\s/g, ''));
                    if (e.currentTarget.value.replace(/\s/g, '').length >= 13) touch('corporateNumber');
                  }}
                  onBlur={() => touch('corporateNumber')}
                  error={errorOf('corporateNumber')}
                  rightSection={
                    draft.corporateNumber.length === 13 &&
                    !errorOf('corporateNumber') &&
                    !local.corporateNumber ? (
                      <IconCircleCheck
                        size={18}
                        color="var(--mantine-color-teal-8)"
                        aria-label={t('admin:onboard.fields.valid')}
                      />
                    ) : undefined
                  }
                  data-testid="field-corporateNumber"
                />
                <TextInput
                  label={t('admin:onboard.fields.legalName')}
                  required
                  value={draft.legalName}
                  onChange={(e) => set('legalName', e.currentTarget.value)}
                  onBlur={() => touch('legalName')}
                  error={errorOf('legalName')}
                  maxLength={300}
                  data-testid="field-legalName"
                />
                <TextInput
                  label={t('admin:onboard.fields.lei')}
                  description={t('admin:onboard.fields.leiHelp')}
                  value={draft.lei}
                  onChange={(e) => set('lei', e.currentTarget.value.toUpperCase().trim())}
                  onBlur={() => touch('lei')}
                  error={errorOf('lei')}
                  maxLength={20}
                />
                <TextInput
                  label={t('admin:onboard.fields.bpn')}
                  description={t('admin:onboard.fields.bpnHelp')}
                  value={draft.bpn}
                  onChange={(e) => set('bpn', e.currentTarget.value.toUpperCase().trim())}
                  onBlur={() => touch('bpn')}
                  error={errorOf('bpn')}
                  maxLength={16}
                />
                <TextInput
                  label={t('admin:onboard.fields.industry')}
                  description={t('admin:onboard.fields.industryHelp')}
                  required
                  value={draft.industry}
                  onChange={(e) => set('industry', e.currentTarget.value)}
                  onBlur={() => touch('industry')}
                  error={errorOf('industry')}
                  data-testid="field-industry"
                />
                <CountrySelect
                  value={draft.country}
                  onChange={(v) => set('country', v)}
                  error={errorOf('country')}
                />
              </SimpleGrid>
              <Checkbox.Group
                label={t('admin:onboard.fields.roles')}
                description={t('admin:onboard.fields.rolesHelp')}
                value={draft.roles}
                onChange={(v) => {
                  set('roles', v);
                  touch('roles');
                }}
                error={errorOf('roles')}
                withAsterisk
              >
                <Group mt="xs">
                  {allRoles.map((r) => (
                    <Checkbox key={r} value={r} label={t(`roles.${r}`)} />
                  ))}
                </Group>
              </Checkbox.Group>
            </Stack>
          </Paper>
        </Stepper.Step>

        <Stepper.Step label={t('admin:onboard.steps.key')} description={t('admin:onboard.steps.keyHelp')}>
          <Paper withBorder p="lg" component="section" aria-labelledby="step-key">
            <Stack>
              <Title order={2} size="h4" id="step-key">
                {t('admin:onboard.steps.key')}
              </Title>
              <Text size="sm">{t('admin:onboard.key.intro')}</Text>
              <SegmentedControl
                value={draft.keySource}
                onChange={(v) => set('keySource', v, 'key')}
                data={[
                  { value: 'generate', label: t('admin:onboard.key.generateTab') },
                  { value: 'paste', label: t('admin:onboard.key.pasteTab') },
                ]}
                aria-label={t('admin:onboard.key.source')}
                data-testid="key-source"
              />
              {draft.keySource === 'generate' ? (
                <Stack>
                  <Alert
                    color="blue"
                    styles={alertText}
                    icon={<IconShieldLock />}
                    title={t('admin:onboard.key.generateTitle')}
                  >
                    <Text size="sm">{t('admin:onboard.key.generateHow')}</Text>
                  </Alert>
                  <Group>
                    <Button
                      leftSection={<IconKey size={16} />}
                      onClick={() => void generate()}
                      loading={generating}
                      variant={draft.generated ? 'default' : 'filled'}
                      data-testid="generate-key"
                    >
                      {draft.generated ? t('admin:onboard.key.regenerate') : t('admin:onboard.key.generate')}
                    </Button>
                  </Group>
                  {draft.generated && (
                    <Stack gap={4} data-testid="generated-key">
                      <Text size="sm">
                        {t('admin:onboard.key.generated', { kid: draft.generated.publicJwk.kid })}
                      </Text>
                      <Code block>{JSON.stringify(draft.generated.publicJwk, null, 2)}</Code>
                    </Stack>
                  )}
                  {errorOf('key') && (
                    <Text size="sm" c="red.9" role="alert">
                      {errorOf('key')}
                    </Text>
                  )}
                </Stack>
              ) : (
                <Textarea
                  label={t('admin:onboard.key.pasteLabel')}
                  description={t('admin:onboard.key.pasteHelp')}
                  autosize
                  minRows={6}
                  value={draft.pasted}
                  onChange={(e) => {
                    set('pasted', e.currentTarget.value, 'key');
                    touch('key');
                  }}
                  error={errorOf('key')}
                  styles={{ input: { fontFamily: 'monospace' } }}
                  data-testid="field-key"
                />
              )}
            </Stack>
          </Paper>
        </Stepper.Step>

        <Stepper.Step
          label={t('admin:onboard.steps.attestations')}
          description={t('admin:onboard.steps.attestationsHelp')}
        >
          <Paper withBorder p="lg" component="section" aria-labelledby="step-attest">
            <Stack>
              <Title order={2} size="h4" id="step-attest">
                {t('admin:onboard.steps.attestations')}
              </Title>
              <Radio.Group
                label={t('admin:onboard.fields.protection')}
                description={t('admin:onboard.fields.protectionHelp')}
                value={draft.protection}
                onChange={(v) => set('protection', v)}
                error={errorOf('protection')}
              >
                <Stack mt="xs" gap="xs">
                  {protectionLevels.map((p) => (
                    <Radio
                      key={p}
                      value={p}
                      label={t(`admin:protection.${p}.label`)}
                      description={t(`admin:protection.${p}.help`)}
                    />
                  ))}
                </Stack>
              </Radio.Group>
              <Checkbox.Group
                label={t('admin:onboard.fields.certifications')}
                description={t('admin:onboard.fields.certificationsHelp')}
                value={draft.certifications}
                onChange={(v) => set('certifications', v, 'certifications')}
                error={errorOf('certifications')}
              >
                <Stack mt="xs" gap="xs">
                  {allCertifications.map((c) => (
                    <Checkbox
                      key={c}
                      value={c}
                      label={t(`admin:certification.${c}.label`)}
                      description={t(`admin:certification.${c}.help`)}
                      data-testid={`cert-${c}`}
                    />
                  ))}
                </Stack>
              </Checkbox.Group>
              {draft.certifications.map((c) => (
                <Paper key={c} withBorder p="md" bg="var(--mantine-color-gray-0)">
                  <Stack gap="xs">
                    <Text fw={600} size="sm">
                      {t('admin:onboard.fields.termsFor', { name: t(`admin:certification.${c}.label`) })}
                    </Text>
                    <SimpleGrid cols={{ base: 1, md: 2 }}>
                      <TextInput
                        label={t('admin:onboard.fields.evidence')}
                        description={t('admin:onboard.fields.evidenceHelp')}
                        required={needsEvidence(c)}
                        maxLength={500}
                        value={draft.evidence[c] ?? ''}
                        onChange={(e) =>
                          set('evidence', { ...draft.evidence, [c]: e.currentTarget.value }, `evidence.${c}`)
                        }
                        onBlur={() => touch(`evidence.${c}`)}
                        error={errorOf(`evidence.${c}`)}
                        data-testid={`evidence-${c}`}
                      />
                      <TextInput
                        type="date"
                        label={t('admin:onboard.fields.expires')}
                        description={t('admin:onboard.fields.expiresHelp')}
                        required={needsEvidence(c)}
                        value={draft.expires[c] ?? ''}
                        onChange={(e) =>
                          set('expires', { ...draft.expires, [c]: e.currentTarget.value }, `expires.${c}`)
                        }
                        onBlur={() => touch(`expires.${c}`)}
                        error={errorOf(`expires.${c}`)}
                        data-testid={`expires-${c}`}
                      />
                    </SimpleGrid>
                  </Stack>
                </Paper>
              ))}
            </Stack>
          </Paper>
        </Stepper.Step>

        <Stepper.Step
          label={t('admin:onboard.steps.review')}
          description={t('admin:onboard.steps.reviewHelp')}
        >
          <Review draft={draft} onEdit={setActive} />
          <Stack mt="md">
            <ProblemAlert error={unmapped} title={t('admin:onboard.refused')} />
          </Stack>
        </Stepper.Step>

        <Stepper.Completed>
          {onboard.data && (
            <Done
              participant={onboard.data}
              privateJwk={draft.keySource === 'generate' ? draft.generated?.privateJwk : undefined}
              downloaded={downloaded}
              onDownload={() => {
                downloadKeyFile(onboard.data, draft.generated!.privateJwk);
                setDownloaded(true);
              }}
              onAnother={() => {
                onboard.reset();
                setDraft(emptyDraft);
                setShown(new Set());
                setServer({});
                setDownloaded(false);
                setActive(0);
              }}
            />
          )}
        </Stepper.Completed>
      </Stepper>

      {!done && Object.keys(server).length > 0 && (
        <Alert color="red" styles={alertText} role="alert" mt="md" data-testid="field-refusals">
          {t('admin:onboard.fieldRefusals')} {Object.values(server).join(' · ')}
        </Alert>
      )}
      {!done && (
        <Group justify="space-between" mt="lg">
          <Button
            variant="default"
            onClick={() => setActive((a) => Math.max(0, a - 1))}
            disabled={active === 0}
          >
            {t('admin:onboard.back')}
          </Button>
          {active < 3 ? (
            <Button onClick={() => void next()} data-testid="wizard-next">
              {t('admin:onboard.next')}
            </Button>
          ) : (
            <Button onClick={() => onboard.mutate()} loading={onboard.isPending} data-testid="wizard-submit">
              {t('admin:onboard.submit')}
            </Button>
          )}
        </Group>
      )}
    </>
  );
}

function CountrySelect({
  value,
  onChange,
  error,
}: {
  value: string | null;
  onChange: (v: string | null) => void;
  error?: string;
}) {
  const { t } = useTranslation();
  const countries = useCountries();
  return (
    <Select
      label={t('admin:onboard.fields.country')}
      required
      searchable
      data={countries}
      value={value}
      onChange={onChange}
      error={error}
      nothingFoundMessage={t('admin:onboard.fields.noCountry')}
      data-testid="field-country"
    />
  );
}

function Review({ draft, onEdit }: { draft: Draft; onEdit: (step: number) => void }) {
  const { t } = useTranslation();
  const countryName = useCountryName();
  const format = useFormat();
  const row = (label: string, value: ReactNode, step: number) => (
    <Table.Tr key={label}>
      <Table.Th scope="row" w={260}>
        {label}
      </Table.Th>
      <Table.Td>{value}</Table.Td>
      <Table.Td w={80}>
        <Anchor component="button" type="button" size="sm" onClick={() => onEdit(step)}>
          {t('admin:onboard.edit')}
          <VisuallyHidden>{` ${label}`}</VisuallyHidden>
        </Anchor>
      </Table.Td>
    </Table.Tr>
  );
  const none = (
    <Text span c="dimmed" size="sm">
      {t('admin:onboard.none')}
    </Text>
  );
  const keyText =
    draft.keySource === 'generate'
      ? t('admin:onboard.review.generatedKey', { kid: draft.generated?.publicJwk.kid ?? '' })
      : (() => {
          try {
            return t('admin:onboard.review.pastedKeys', {
              kids: parsePublicKeys(draft.pasted)
                .map((k) => k.kid)
                .join(', '),
            });
          } catch {
            return '—';
          }
        })();
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="step-review">
      <Title order={2} size="h4" id="step-review" mb="sm">
        {t('admin:onboard.steps.review')}
      </Title>
      <Table data-testid="review">
        <Table.Caption>{t('admin:onboard.review.caption')}</Table.Caption>
        <Table.Tbody>
          {row(t('admin:onboard.fields.legalName'), draft.legalName, 0)}
          {row(t('admin:onboard.fields.corporateNumber'), draft.corporateNumber || none, 0)}
          {draft.lei && row(t('admin:onboard.fields.lei'), draft.lei, 0)}
          {draft.bpn && row(t('admin:onboard.fields.bpn'), draft.bpn, 0)}
          {row(t('admin:onboard.fields.industry'), draft.industry, 0)}
          {row(t('admin:onboard.fields.country'), draft.country ? countryName(draft.country) : none, 0)}
          {row(t('admin:onboard.fields.roles'), draft.roles.map((r) => t(`roles.${r}`)).join(', '), 0)}
          {row(t('admin:onboard.review.key'), keyText, 1)}
          {row(t('admin:onboard.fields.protection'), t(`admin:protection.${draft.protection}.label`), 2)}
          {row(
            t('admin:onboard.fields.certifications'),
            draft.certifications.length === 0
              ? none
              : draft.certifications
                  .map((c) =>
                    [
                      t(`admin:certification.${c}.label`),
                      draft.evidence[c]?.trim() &&
                        t('admin:onboard.review.evidence', { ref: draft.evidence[c].trim() }),
                      draft.expires[c] &&
                        t('admin:onboard.review.expires', {
                          date: format.dateTime(endOfDay(draft.expires[c])),
                        }),
                    ]
                      .filter(Boolean)
                      .join(' · '),
                  )
                  .join('; '),
            2,
          )}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

function Done({
  participant,
  privateJwk,
  downloaded,
  onDownload,
  onAnother,
}: {
  participant: Participant;
  privateJwk?: JsonWebKey;
  downloaded: boolean;
  onDownload: () => void;
  onAnother: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Stack data-testid="onboard-done">
      <Alert
        color="teal"
        styles={alertText}
        icon={<IconCircleCheck />}
        title={t('admin:onboard.done.title', { name: participant.legalName })}
      >
        <Text size="sm">
          {t('admin:onboard.done.id')} <Code data-testid="new-participant-id">{participant.id}</Code>
        </Text>
      </Alert>
      {privateJwk && (
        <Paper withBorder p="lg">
          <Stack>
            <Title order={2} size="h4">
              {t('admin:onboard.done.keyTitle')}
            </Title>
            <Text size="sm">{t('admin:onboard.done.keyExplain', { name: participant.legalName })}</Text>
            <Group>
              <Button
                leftSection={<IconDownload size={16} />}
                onClick={onDownload}
                variant={downloaded ? 'default' : 'filled'}
                data-testid="download-key"
              >
                {downloaded ? t('admin:onboard.done.downloadAgain') : t('admin:onboard.done.download')}
              </Button>
              {downloaded && (
                <Text size="sm" data-testid="key-downloaded">
                  {t('admin:onboard.done.downloaded')}
                </Text>
              )}
            </Group>
          </Stack>
        </Paper>
      )}
      <Group>
        <Button component={Link} to="/admin/participants" variant="light">
          {t('admin:onboard.done.toList')}
        </Button>
        <Button variant="default" onClick={onAnother}>
          {t('admin:onboard.done.another')}
        </Button>
      </Group>
    </Stack>
  );
}
