// The unit project of jest.config.js on its own: what StrykerJS runs for every mutant
// (npm run test:mutation). Never the e2e project, which changes the host.
import config from './jest.config.js'

const unit = config.projects.find(p => p.displayName === 'unit')
if (!unit) throw new Error('jest.config.js has no unit project')
export default { ...unit, rootDir: '.' }
