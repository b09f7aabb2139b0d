import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Only the thin Electron shell may import Electron: the engine must run under plain Node.
const electronShell = ['src/main/index.ts', 'src/main/electron/**', 'src/preload/**', 'e2e/**'];

// The import direction of every folder under src/main (VS Code's layering idea): a folder may import
// only the folders listed for it (and src/shared, npm packages, itself). The composition roots
// (app.ts, index.ts, wiring/, headless/, electron/, replay/, preflight/) may import anything.
const LAYERS = {
  kernel: [],
  ports: ['kernel'],
  engine: ['kernel', 'ports'],
  sim: ['kernel', 'ports'],
  venues: ['kernel', 'ports'],
  emulator: ['kernel'],
  integrations: ['kernel', 'ports'],
  journal: ['kernel', 'ports'],
  log: ['kernel', 'ports'],
  host: ['kernel', 'ports'],
  config: ['kernel']
};
const MAIN_FOLDERS = [...Object.keys(LAYERS), 'wiring', 'headless', 'electron', 'replay', 'preflight'];
const electronRestriction = {
  paths: [{ name: 'electron', message: 'Only the Electron shell (src/main/index.ts, src/main/electron/) may import electron.' }],
  patterns: [{ group: ['electron/*'], message: 'Only the Electron shell may import electron.' }]
};
const layerRules = Object.entries(LAYERS).map(([folder, allowed]) => {
  const forbidden = MAIN_FOLDERS.filter((other) => other !== folder && !allowed.includes(other));
  return {
    files: [`src/main/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: electronRestriction.paths,
          patterns: [
            ...electronRestriction.patterns,
            {
              group: [...forbidden.flatMap((other) => [`../${other}`, `../${other}/*`, `**/../${other}`, `**/../${other}/*`]), '**/app', '../app', '**/../app'],
              message: `src/main/${folder} may import only ${allowed.length ? allowed.map((a) => `src/main/${a}`).join(', ') : 'nothing under src/main'} (and src/shared): see the import direction in eslint.config.mjs.`
            }
          ]
        }
      ]
    }
  };
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.tools/**', 'test-results/**', 'playwright-report/**', 'e2e-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='parseFloat']",
          message: 'Prices, sizes and money are decimal.js values: never parseFloat.'
        }
      ]
    }
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: electronShell,
    rules: {
      'no-restricted-imports': ['error', electronRestriction]
    }
  },
  ...layerRules,
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error'
    }
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } }
  },
  {
    // CommonJS files that a third-party loader requires (the CCXT signer stand-in of the conformance tests).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', globalThis: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
);
