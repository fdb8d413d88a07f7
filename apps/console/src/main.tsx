import '@mantine/core/styles.css';
import { MantineProvider, createTheme, type CSSVariablesResolver } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ServiceError } from './api/client';
import { App } from './App';

/**
 * Mantine's defaults, darker where they fall short of WCAG AA contrast (4.5:1): the primary shade for white text
 * on buttons and badges, and "dimmed" text.
 */
const theme = createTheme({ primaryShade: 9, autoContrast: true, luminanceThreshold: 0.45 });
const contrast: CSSVariablesResolver = (t) => ({
  variables: {},
  light: { '--mantine-color-dimmed': t.colors.gray[7]!, '--mantine-color-placeholder': t.colors.gray[6]!, '--mantine-color-error': t.colors.red[9]! },
  dark: {},
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal (4xx) will not change by asking again; a 503 or a network error may.
      retry: (failures, error) => failures < 2 && !(error instanceof ServiceError && error.problem.status < 500),
      staleTime: 10_000,
      refetchOnWindowFocus: true,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={contrast}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
