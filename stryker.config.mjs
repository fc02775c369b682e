// npm run test:mutation: StrykerJS over the kernel-facing logic, with the unit tests only (they
// never touch the host: binfmt_misc, Docker and the lock are fakes or temporary directories).
// Scores and the command that reproduces them: docs/testing.md. Mutants that cannot change
// behaviour are marked in the source with a `// Stryker disable next-line <mutator>: <reason>`
// comment next to the code, so the reason stays with it.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.unit.config.js', enableFindRelatedTests: true },
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 10000,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  mutate: [
    'src/inputs.ts',
    // src/catalogue.ts is a table: its mutants are static (each one reruns every test) and it is
    // checked instead by property tests against the kernel's own texts in __fixtures__/binfmt
    // (__tests__/unit/catalogue.test.ts), as the mutation-testing issue allows.
    'src/plan.ts',
    'src/host/binfmt.ts',
    'src/host/entry.ts',
    'src/host/changes.ts',
    'src/host/kernel.ts',
    'src/session/*.ts',
    'src/host/native.ts',
    'src/host/privilege.ts',
    'src/host/elf.ts',
    'src/installer/*.ts',
    // a table of pinned hashes, checked against the real packages by scripts/debian
    '!src/installer/debian-qemu.ts',
    // the .deb reader faces archives, not the kernel: nothing it writes is used before the whole
    // file's SHA-256 and each emulator's pinned SHA-256 matched; __tests__/unit/deb.test.ts
    // feeds it real and malformed archives (about 1,000 mutants: a run of its own when it changes,
    // `npm run test:mutation -- --mutate src/installer/deb.ts`)
    '!src/installer/deb.ts',
    'src/registrar/*.ts',
    'src/verifier/probe.ts',
    'src/verifier/image.ts',
    'src/verifier/verifier.ts'
  ],
  thresholds: { high: 95, low: 90, break: 90 },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always'
}
