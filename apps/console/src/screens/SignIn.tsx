import { Alert, Button, Container, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { signIn } from '../auth/session';
import { ErrorNotice, fieldError } from '../ui/common';
import { ServiceError } from '../api/client';

const ROLES = [
  { value: 'intake_coordinator', label: 'Intake coordinator' },
  { value: 'clinician', label: 'Clinician' },
  { value: 'clinical_supervisor', label: 'Clinical supervisor' },
  { value: 'insurance_coordinator', label: 'Insurance coordinator' },
  { value: 'site_admin', label: 'Site administrator' },
  { value: 'network_admin', label: 'Network administrator (all sites)' },
  { value: 'analyst', label: 'Analyst' },
];

interface AuthConfig {
  devSignIn: boolean;
  oidc: { issuer: string; clientId: string } | null;
}

async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, init);
  const body = (await response.json()) as T;
  if (!response.ok) throw new ServiceError(body as never);
  return body;
}

export function SignIn() {
  const config = useQuery({ queryKey: ['auth-config'], queryFn: () => getJson<AuthConfig>('/auth/config') });
  const devSignIn = config.data?.devSignIn === true;
  const sites = useQuery({
    queryKey: ['dev-sites'],
    queryFn: () => getJson<Array<{ siteId: string; name: string }>>('/auth/dev/sites'),
    enabled: devSignIn,
  });
  const [role, setRole] = useState<string | null>('intake_coordinator');
  const [siteId, setSiteId] = useState<string | null>(null);
  const mint = useMutation({
    mutationFn: () =>
      getJson<{ token: string }>('/auth/dev/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role, siteIds: role === 'network_admin' || !siteId ? [] : [siteId] }),
      }),
    onSuccess: ({ token }) => signIn(token),
  });

  return (
    <Container size={460} py={60}>
      <main>
        <Title order={1} size="h2" mb="md" tabIndex={-1}>
          Sign in to the IOP console
        </Title>
        <Paper withBorder p="lg" radius="md">
          {config.isPending ? <Text>Loading…</Text> : null}
          {config.data && !devSignIn ? (
            <Stack>
              <Text>Sign in with your organisation&apos;s account.</Text>
              {config.data.oidc ? (
                <Text size="sm">Identity provider: {config.data.oidc.issuer}</Text>
              ) : (
                <Alert color="yellow">No identity provider is configured for this console (CONSOLE_OIDC_ISSUER, CONSOLE_OIDC_CLIENT_ID).</Alert>
              )}
            </Stack>
          ) : null}
          {devSignIn ? (
            <form
              onSubmit={(event) => {
                event.preventDefault();
                mint.mutate();
              }}
            >
              <Stack>
                <Alert color="blue" title="Development sign-in">
                  Tokens come from the development issuer. This is never offered in production.
                </Alert>
                <Select label="Role" data={ROLES} value={role} onChange={setRole} allowDeselect={false} error={fieldError(mint.error, 'role')} />
                <Select
                  label="Site"
                  placeholder={sites.data?.length === 0 ? 'No sites yet: a network administrator registers them' : 'Choose your site'}
                  data={(sites.data ?? []).map((s) => ({ value: s.siteId, label: s.name }))}
                  value={siteId}
                  onChange={setSiteId}
                  disabled={role === 'network_admin'}
                  description={role === 'network_admin' ? 'Network administrators work across every site' : undefined}
                  error={fieldError(mint.error, 'siteIds')}
                  searchable
                />
                <ErrorNotice error={mint.error ?? sites.error} fields={['role', 'siteIds']} />
                <Button type="submit" loading={mint.isPending}>
                  Sign in
                </Button>
              </Stack>
            </form>
          ) : null}
          <ErrorNotice error={config.error} />
        </Paper>
      </main>
    </Container>
  );
}
