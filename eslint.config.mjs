// The code gate (`npm run lint`): rules that catch real bugs in async TypeScript, plus the
// module boundary rule. Formatting is prettier's job (`npm run format`), so eslint-config-prettier
// switches off every stylistic rule.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'src/console/public/vendor/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  // Modules talk through their exported services: code in src/<module> reaches another module by
  // the `@/` alias, never by a relative path that climbs out of its own module folder.
  ...[1, 2, 3].map((depth) => ({
    files: [`src/*/${'*/'.repeat(depth - 1)}*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../'.repeat(depth) + '*'], message: "Import another module through '@/<module>/…', not a relative path." }] },
      ],
    },
  })),
  // Unit specs may use the shared test helpers in test/support.
  { files: ['src/**/*.spec.ts'], rules: { 'no-restricted-imports': 'off' } },
  prettier,
);
