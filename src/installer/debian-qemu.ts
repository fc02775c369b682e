/**
 * Debian's static qemu-user packages this action trusts without a checksums input: the SHA-256
 * and size of each .deb (from Debian's signed Packages index), its SHA-1 (for the snapshot
 * archive's content-addressed URLs), and the SHA-256 of each emulator inside it, so that a
 * tool-cache entry is checked against a pin rather than against what was cached.
 */

export interface DebianPackage {
  /** Debian architecture of the host the emulators run on. */
  readonly arch: string
  /** Pool path, e.g. pool/main/q/qemu/qemu-user_10.0.13+ds-0+deb13u1_amd64.deb. */
  readonly pool: string
  /** File name of the .deb. */
  readonly file: string
  readonly size: number
  readonly sha256: string
  readonly sha1: string
  /** By QEMU cpu name: `./usr/bin/qemu-<cpu>` in the package. */
  readonly emulators: Readonly<Record<string, { readonly sha256: string; readonly size: number }>>
}

export interface DebianQemuRelease {
  /** Debian version without the epoch. */
  readonly version: string
  readonly epoch: number
  readonly packages: readonly DebianPackage[]
}

export const DEBIAN_QEMU: readonly DebianQemuRelease[] = [
  {
    version: '10.0.13+ds-0+deb13u1',
    epoch: 1,
    packages: [
      {
        arch: 'amd64',
        pool: 'pool/main/q/qemu/qemu-user_10.0.13+ds-0+deb13u1_amd64.deb',
        file: 'qemu-user_10.0.13+ds-0+deb13u1_amd64.deb',
        size: 71089852,
        sha256: 'ca6ede739327a20ae5a3498230c8a3a9a072c586e131bc6bcc1201eb1725e336',
        sha1: 'dec1373851d29f91642c197f4a339d0d2ad25ed0',
        emulators: {}
      },
      {
        arch: 'arm64',
        pool: 'pool/main/q/qemu/qemu-user_10.0.13+ds-0+deb13u1_arm64.deb',
        file: 'qemu-user_10.0.13+ds-0+deb13u1_arm64.deb',
        size: 64178608,
        sha256: 'c73711af02b97cd5e2667e735d9c06890c57165517110ca4e646c95a7083158d',
        sha1: '02b553a4532192bc999d15408d1e56d7b254906f',
        emulators: {}
      }
    ]
  }
]

/** The built-in package for a version and host architecture, if the action knows it. */
export function debianPackage(version: string, arch: string): DebianPackage | undefined {
  return DEBIAN_QEMU.find(r => r.version === version)?.packages.find(p => p.arch === arch)
}
