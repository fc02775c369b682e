// scripts/mutation.ts: the per-file scores that decide whether `npm run test:mutation` fails,
// and the tables it writes into docs/testing.md, from a report in Stryker's JSON schema.
import { equivalents, scores, table } from '../../scripts/mutation.js'

const mutant = (status: string, extra: object = {}) => ({ status, ...extra })
const report = {
  files: {
    'src/b.ts': {
      mutants: [
        mutant('Killed'),
        mutant('Killed'),
        mutant('Timeout'),
        mutant('Survived'),
        mutant('NoCoverage'),
        mutant('Ignored', {
          mutatorName: 'StringLiteral',
          statusReason: 'the message | is only logged',
          location: { start: { line: 12 } }
        })
      ]
    },
    'src/a.ts': { mutants: [mutant('Killed'), mutant('CompileError')] },
    'src/empty.ts': { mutants: [] }
  }
}

test('a score is detected (killed or timed out) over all but ignored and uncompilable mutants', () => {
  expect(scores(report)).toEqual([
    { file: 'src/a.ts', killed: 1, survived: 0, noCoverage: 0, timeout: 0, ignored: 0, score: 100 },
    { file: 'src/b.ts', killed: 2, survived: 1, noCoverage: 1, timeout: 1, ignored: 1, score: 60 },
    {
      file: 'src/empty.ts',
      killed: 0,
      survived: 0,
      noCoverage: 0,
      timeout: 0,
      ignored: 0,
      score: 100
    }
  ])
})

test('the docs table has one row per file, and each equivalent mutant with its reason', () => {
  expect(table(scores(report)).split('\n')[3]).toBe('| `src/b.ts` | 60.0% | 2 | 1 | 1 | 1 | 1 |')
  expect(equivalents(report).split('\n')).toEqual([
    '| where | mutator | why it cannot change behaviour | mutants |',
    '| --- | --- | --- | ---: |',
    '| `src/b.ts:12` | StringLiteral | the message \\| is only logged | 1 |'
  ])
  expect(equivalents({ files: {} })).toBe('No mutant is marked equivalent.')
})
