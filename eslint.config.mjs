// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**'] },
  // openapi-typescript's output (`npm run openapi`), checked against the documents by a test.
  { ignores: ['packages/client/src/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Nest classes are decorated and injected; an empty constructor or a class with only
      // statics is normal there.
      '@typescript-eslint/no-extraneous-class': 'off',
      'import-x/no-cycle': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/apps/*',
                '@sp/partner-registry',
                '@sp/symposium',
                '@sp/inquiries',
                '@sp/worker',
              ],
              message: 'An app is never imported.',
            },
          ],
          paths: [
            {
              name: 'nestjs-zod',
              importNames: ['createZodDto'],
              message:
                "Use createZodDto from @sp/platform: nestjs-zod's documents a nullable field as an array (its issue 473).",
            },
            {
              name: 'nestjs-zod/dto',
              importNames: ['createZodDto'],
              message:
                "Use createZodDto from @sp/platform: nestjs-zod's documents a nullable field as an array (its issue 473).",
            },
          ],
        },
      ],
    },
  },
  {
    // The one place that wraps nestjs-zod's createZodDto, and the pipe's test of it.
    files: ['packages/platform/src/http/zod-dto.ts', 'packages/platform/src/http/*.spec.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Source code takes its UUIDs from `uuid()` of @sp/types, which lower-cases them (see there);
    // a test may check a body with `z.uuid()`.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name=/^(uuid|guid|uuidv4|uuidv6|uuidv7)$/]:not([callee.object.name='crypto'])",
          message:
            "Use uuid() from @sp/types: it lower-cases the id, as Postgres stores it ('ABC…' and 'abc…' are one id).",
        },
      ],
    },
  },
  {
    // The root test/ folder holds system tests that start several apps together.
    files: ['test/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Plain JavaScript (scripts, benchmarks, configs) is outside any tsconfig: no typed rules.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { ...globals.node },
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**'],
    // Tests read JSON bodies loosely and assert on them at run time; source code stays strict.
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
