import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';

/** Pages of a list the service answers whole (a site's programs, tracks, phone tasks): `size` rows at a time. */
export function usePage<T>(items: readonly T[], size = 10) {
  const [page, setPage] = useState(0);
  const last = Math.max(0, Math.ceil(items.length / size) - 1);
  const current = Math.min(page, last);
  return {
    rows: items.slice(current * size, (current + 1) * size),
    pager:
      items.length > size ? (
        <Group justify="flex-end">
          <Text size="sm" c="dimmed">
            {current * size + 1}–{Math.min(items.length, (current + 1) * size)} of {items.length}
          </Text>
          <Button variant="default" size="xs" disabled={current === 0} onClick={() => setPage(current - 1)}>
            Previous page
          </Button>
          <Button variant="default" size="xs" disabled={current === last} onClick={() => setPage(current + 1)}>
            Next page
          </Button>
        </Group>
      ) : null,
  };
}
