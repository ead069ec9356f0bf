// ESLint for the web app (dashboards/web, the vendored libraries aside) and these tests.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['**/vendor/**', '**/node_modules/**'] },
  js.configs.recommended,
  {
    files: ['dashboards/web/**/*.js'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.browser, L: 'readonly', uPlot: 'readonly' },
    },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_' }], eqeqeq: ['error', 'smart'] },
  },
  {
    files: ['tests/web/*.js', 'tests/web/*.mjs'],
    // Node, and the browser's globals for the functions page.evaluate runs in the page.
    languageOptions: { ecmaVersion: 2022, sourceType: 'commonjs', globals: { ...globals.node, ...globals.browser } },
  },
  { files: ['tests/web/*.mjs'], languageOptions: { sourceType: 'module' } },
];
