/**
 * Sign in as a participant with its private key. The file is read in the browser and never uploaded; the key
 * becomes a non-extractable WebCrypto key that signs the client assertion (RFC 7523) here.
 */
import {
  Anchor,
  Button,
  Checkbox,
  Container,
  FileInput,
  Paper,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '../components/ProblemAlert';
import { LanguageSwitch } from '../layout/LanguageSwitch';
import { importKeyFile, KeyFileError, parseKeyFile, type HeldKey } from './keys';

export function SignIn({ onKey }: { onKey: (held: HeldKey, remember: boolean) => Promise<void> }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [pasted, setPasted] = useState('');
  const [participant, setParticipant] = useState('');
  const [remember, setRemember] = useState(false);
  const [tab, setTab] = useState<string | null>('file');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const text = tab === 'file' ? await file?.text() : pasted;
      if (!text) throw new KeyFileError('signIn.errors.noKey');
      const held = await importKeyFile(parseKeyFile(text, participant));
      await onKey(held, remember);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Container size={520} py={48}>
      <Stack>
        <Stack gap={0} align="center">
          <Title order={1}>{t('app.name')}</Title>
          <Text c="dimmed">{t('signIn.subtitle')}</Text>
        </Stack>
        <Paper
          withBorder
          p="lg"
          radius="md"
          component="form"
          onSubmit={(e) => void submit(e)}
          aria-labelledby="sign-in-title"
        >
          <Stack>
            <Title order={2} size="h4" id="sign-in-title">
              {t('signIn.title')}
            </Title>
            <Tabs value={tab} onChange={setTab}>
              <Tabs.List>
                <Tabs.Tab value="file">{t('signIn.fromFile')}</Tabs.Tab>
                <Tabs.Tab value="paste">{t('signIn.paste')}</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="file" pt="sm">
                <FileInput
                  label={t('signIn.keyFile')}
                  description={t('signIn.keyFileHelp')}
                  placeholder={t('signIn.chooseFile')}
                  accept="application/json,.json"
                  value={file}
                  onChange={setFile}
                  leftSection={<IconKey size={16} />}
                  data-testid="key-file"
                />
              </Tabs.Panel>
              <Tabs.Panel value="paste" pt="sm">
                <Stack>
                  <TextInput
                    label={t('signIn.participant')}
                    value={participant}
                    onChange={(e) => setParticipant(e.currentTarget.value)}
                  />
                  <Textarea
                    label={t('signIn.privateJwk')}
                    autosize
                    minRows={4}
                    value={pasted}
                    onChange={(e) => setPasted(e.currentTarget.value)}
                    styles={{ input: { fontFamily: 'monospace' } }}
                  />
                </Stack>
              </Tabs.Panel>
            </Tabs>
            <Checkbox
              label={t('signIn.remember')}
              description={t('signIn.rememberHelp')}
              checked={remember}
              onChange={(e) => setRemember(e.currentTarget.checked)}
            />
            {error instanceof KeyFileError ? (
              <ProblemAlert error={new Error(t(error.reason))} title={t('signIn.errors.title')} />
            ) : (
              <ProblemAlert error={error} title={t('signIn.errors.title')} />
            )}
            <Button type="submit" loading={busy} data-testid="sign-in">
              {t('signIn.submit')}
            </Button>
            <Text size="xs" c="dimmed">
              {t('signIn.keysNeverTravel')}{' '}
              <Anchor href="https://www.rfc-editor.org/rfc/rfc7523" target="_blank" rel="noreferrer">
                RFC 7523
              </Anchor>
            </Text>
          </Stack>
        </Paper>
        <LanguageSwitch />
      </Stack>
    </Container>
  );
}
