// ESLint flat config: typescript-eslint's recommended rules, type-aware where they catch real bugs
// (floating promises: an append or a read model wait that nobody awaits loses errors), and
// eslint-config-prettier so formatting is prettier's business alone.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'events/schemas/', 'src/web/assets/', '**/*.js', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // the validators name control characters on purpose: texts that carry them are refused
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // CLI commands are thin: the composition root (src/app/compose-cli.ts) wires the configuration,
    // stores, ledger, log and progress; a command that opened its own would bypass it
    files: ['src/cli/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'pino', message: 'log through cli.logger() from the composition root' }],
          patterns: [
            {
              group: ['**/app/config', '**/app/open-store', '**/store/sqlite-store', '**/store/esdb-store', '**/command-handling/ledger'],
              message: 'take it from the Cli the composition root (src/app/compose-cli.ts) hands in',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'stdout', message: 'write through cli.io' },
        { object: 'process', property: 'stderr', message: 'write through cli.io' },
        { object: 'process', property: 'env', message: 'read configuration through cli.config()' },
      ],
    },
  },
  prettier,
);
