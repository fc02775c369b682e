/** Names shared between the main step, the post step and action.yml, each written once. */

/** Keys of the state the main step saves for the post step. */
export const State = {
  /** Set by the main step, so the same entry knows it runs as the post step. */
  IsPost: 'isPost',
  /** JSON of the main step's Session (post.ts), present once binfmt_misc was touched. */
  Session: 'session'
} as const

/** Output names, as in action.yml. */
export const Output = {
  Platforms: 'platforms',
  RequestedPlatforms: 'requested-platforms',
  Emulators: 'emulators',
  Machines: 'machines',
  Verified: 'verified',
  QemuVersion: 'qemu-version',
  Registrar: 'registrar'
} as const

/** Input names, as in action.yml. */
export const Input = {
  Platforms: 'platforms',
  Registrar: 'registrar',
  Image: 'image',
  Install: 'install',
  QemuVersion: 'qemu-version',
  DownloadUrl: 'download-url',
  Checksums: 'checksums',
  Reset: 'reset',
  Persistent: 'persistent',
  Credential: 'credential',
  Verify: 'verify',
  VerifyImage: 'verify-image',
  Cleanup: 'cleanup',
  Cache: 'cache',
  CacheImage: 'cache-image'
} as const
