// The loopback download and mirror server (test-support/download-server.ts).
export {
  DEBIAN_POOL,
  startDownloadServer,
  type DownloadServer,
  type DownloadServerOptions,
  type ServedFile,
  type ServedRequest
} from '../../../test-support/download-server.js'
