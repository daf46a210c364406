// Hot reload for the Node host: a PDP that swaps rulesets from disk, git or a bundle URL. A
// separate entry point so host/node/index.ts (the plain Pdp) stays unchanged.
export {
  describeReloadError,
  InitialLoadError,
  type LoadedRuleset,
  type ReloadError,
  ReloadingPdp,
  type ReloadingPdpOptions,
  type ReloadStatus,
} from "./reloading-pdp.ts";
export * from "./sources/index.ts";
export { BundleFetchError, BundlePoller, type BundlePollerOptions, type BundleResult, pollEvery, rulesetChecksumId } from "../common/bundle-poller.ts";
