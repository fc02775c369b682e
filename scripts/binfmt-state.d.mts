export declare const BINFMT: string
export interface BinfmtSnapshot {
  mounted: boolean
  /** Sorted directory listing (empty when not mounted), register and status included. */
  listing: string[]
  /** Handler entries (everything but register and status): name to the text the kernel prints. */
  entries: Record<string, string>
  /** The text of `status` (enabled/disabled), '' when not mounted. */
  status: string
}
export declare function isMounted(): boolean
export declare function mountBinfmt(): void
export declare function unmountBinfmt(): void
export declare function entryNames(): string[]
export declare function readEntryText(name: string): string | undefined
export declare function snapshotBinfmt(): BinfmtSnapshot
export declare function registerLine(name: string, text: string): string
export declare function registerEntry(line: string): void
export declare function removeEntry(name: string): void
export declare function clearQemuEntries(): void
export declare function restoreBinfmt(snap: BinfmtSnapshot): void
