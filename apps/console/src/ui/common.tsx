import { Alert, Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ServiceError } from '../api/client';
import { navigate } from '../router';

/**
 * A form in a dashed panel under its title. `label` names the form for assistive technology (and the browser tests);
 * the title shows it, or `title` when the heading says more (whose payer, which track).
 */
export function FormPanel({ label, title, onSubmit, children }: { label: string; title?: ReactNode; onSubmit: () => void; children: ReactNode }) {
  return (
    <form
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <Stack gap="xs" p="md" style={{ border: '1px dashed var(--mantine-color-gray-4)', borderRadius: 8 }}>
        <Title order={3} size="h4">
          {title ?? label}
        </Title>
        {children}
      </Stack>
    </form>
  );
}

/** A link inside the app: a real <a href> (keyboard, middle-click), handled without reloading. */
export function AppLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Anchor
      href={to}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </Anchor>
  );
}

export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  return (
    <Group justify="space-between" mb="md">
      <Title order={1} size="h2" tabIndex={-1}>
        {children}
      </Title>
      {actions}
    </Group>
  );
}

/** The service's own message, for whatever no field of the form names. */
export function ErrorNotice({ error, fields = [] }: { error: unknown; fields?: readonly string[] }) {
  if (!error) return null;
  if (error instanceof ServiceError) {
    const named = error.problem.issues?.filter((i) => fields.includes(i.field)) ?? [];
    if (named.length > 0 && named.length === error.problem.issues?.length) {
      return (
        <Alert color="red" title="Please correct the fields marked above" role="alert">
          {error.problem.detail}
        </Alert>
      );
    }
    return (
      <Alert color="red" title="The service refused this" role="alert">
        <Text size="sm">{error.problem.detail}</Text>
        {error.problem.requestId ? (
          <Text size="xs" c="dimmed">
            Request id {error.problem.requestId}
          </Text>
        ) : null}
      </Alert>
    );
  }
  return (
    <Alert color="red" title="Something went wrong" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </Alert>
  );
}

/** The service's message for one field, to show under the input. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ServiceError ? error.forField(field) : undefined;
}

export function EmptyState({ title, children, action }: { title: string; children: ReactNode; action?: { label: string; to: string } }) {
  return (
    <Stack gap="xs" p="lg" style={{ border: '1px dashed var(--mantine-color-gray-4)', borderRadius: 8 }}>
      <Text fw={600}>{title}</Text>
      <Text size="sm">{children}</Text>
      {action ? (
        <Group>
          <Button component="a" href={action.to} variant="light" onClick={(e: React.MouseEvent) => (e.preventDefault(), navigate(action.to))}>
            {action.label}
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

export const shortId = (id: string): string => id.slice(0, 8);

export function formatDateTime(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(new Date(iso));
}
