// Lint is part of the test command. Module boundaries are enforced by tags (never a wildcard):
// a service imports only shared libraries, never another service; production code never imports
// the test harness.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.nx/**', '.run/**', 'coverage/**', 'apps/console/src/api/generated/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.object.name=/^(it|describe|test)$/][callee.property.name=/^(only|skip)$/]',
          message: 'no .only or .skip left in tests',
        },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:intake', onlyDependOnLibsWithTags: ['scope:intake', 'scope:shared'] },
            { sourceTag: 'scope:insurance', onlyDependOnLibsWithTags: ['scope:insurance', 'scope:shared'] },
            { sourceTag: 'scope:scheduling', onlyDependOnLibsWithTags: ['scope:scheduling', 'scope:shared'] },
            { sourceTag: 'scope:attendance', onlyDependOnLibsWithTags: ['scope:attendance', 'scope:shared'] },
            { sourceTag: 'scope:aftercare', onlyDependOnLibsWithTags: ['scope:aftercare', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:test-lib', onlyDependOnLibsWithTags: ['type:lib', 'type:test-lib'] },
          ],
        },
      ],
    },
  },
  {
    // Tests (and only tests) may use the test harness; services still never import one another.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:intake', onlyDependOnLibsWithTags: ['scope:intake', 'scope:shared'] },
            { sourceTag: 'scope:insurance', onlyDependOnLibsWithTags: ['scope:insurance', 'scope:shared'] },
            { sourceTag: 'scope:scheduling', onlyDependOnLibsWithTags: ['scope:scheduling', 'scope:shared'] },
            { sourceTag: 'scope:attendance', onlyDependOnLibsWithTags: ['scope:attendance', 'scope:shared'] },
            { sourceTag: 'scope:aftercare', onlyDependOnLibsWithTags: ['scope:aftercare', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:test-lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:test-lib'] },
            { sourceTag: 'type:test-lib', onlyDependOnLibsWithTags: ['type:lib', 'type:test-lib'] },
          ],
        },
      ],
    },
  },
);
